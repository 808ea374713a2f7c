"""The classic games' constructors, each against a published value of its class and against its definition."""

from fractions import Fraction

import coopgame
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evgames.data import DataError
from evgames.games import TUGame, nucleolus, shapley

# ------------------------------------------------------------------------------------- published values

# Aumann & Maschler (1985), "Game theoretic analysis of a bankruptcy problem from the Talmud", J. Econ.
# Theory 36, 195–213: claims 100, 200, 300 on estates 100, 200, 300; the Talmud's division is the nucleolus
# of the bankruptcy game.
TALMUD = {
    100: (100 / 3, 100 / 3, 100 / 3),
    200: (50, 75, 75),
    300: (50, 100, 150),
}

# Shapley–Shubik index of the UN Security Council since 1965 (5 permanent members weight 7, 10 elected
# members weight 1, quota 39): 421/2145 = 0.19627 and 4/2145 = 0.00186 (e.g. Straffin 1994, "Power and
# stability in politics", Handbook of Game Theory II, ch. 32).
SECURITY_COUNCIL = {"permanent": (0.19627, Fraction(421, 2145)), "elected": (0.00186, Fraction(4, 2145))}
PERMANENT = ["US", "UK", "FR", "RU", "CN"]
ELECTED = list("ABCDEFGHIJ")

# EEC Council of Ministers 1958 (quota 12 of 17): Shapley–Shubik index 14/60 for France, Germany and Italy,
# 9/60 for Belgium and the Netherlands, 0 for Luxembourg (e.g. Felsenthal & Machover 1998, The Measurement of
# Voting Power).
EEC_1958_WEIGHTS = {"France": 4, "Germany": 4, "Italy": 4, "Belgium": 2, "Netherlands": 2, "Luxembourg": 1}
EEC_1958_INDEX = {"France": 14, "Germany": 14, "Italy": 14, "Belgium": 9, "Netherlands": 9, "Luxembourg": 0}


@pytest.mark.parametrize("estate", sorted(TALMUD))
def test_talmud_division_is_the_bankruptcy_nucleolus(estate):
    game = TUGame.bankruptcy(estate, {"first": 100, "second": 200, "third": 300})
    assert game.nucleolus().allocation.to_numpy() == pytest.approx(TALMUD[estate], abs=1e-7)
    from_yaml = TUGame.from_mapping({"bankruptcy": {"estate": estate, "claims": [100, 200, 300]}})
    assert nucleolus(from_yaml).allocation.to_numpy() == pytest.approx(TALMUD[estate], abs=1e-7)


def test_security_council_shapley_shubik_index():
    weights = {**dict.fromkeys(PERMANENT, 7), **dict.fromkeys(ELECTED, 1)}
    index = TUGame.weighted_voting(39, weights).shapley()
    for group, members in (("permanent", PERMANENT), ("elected", ELECTED)):
        rounded, exact = SECURITY_COUNCIL[group]
        assert index[members].round(5).tolist() == [rounded] * len(members)
        assert index[members].to_numpy() == pytest.approx(float(exact), rel=1e-12)


def test_eec_1958_shapley_shubik_index():
    index = shapley(TUGame.weighted_voting(12, EEC_1958_WEIGHTS))
    assert index.to_dict() == pytest.approx({name: count / 60 for name, count in EEC_1958_INDEX.items()}, abs=1e-12)


def test_glove_market_with_one_left_and_two_right_gloves():
    # The scarce left glove takes the whole surplus in the core, which is the single point (1, 0, 0); the
    # Shapley value is (2/3, 1/6, 1/6): L is pivotal in the 4 of 6 orders where a right glove precedes it.
    game = TUGame.glove(["L"], ["R1", "R2"])
    assert game.to_dict() == {"L": 0, "R1": 0, "L,R1": 1, "R2": 0, "L,R2": 1, "R1,R2": 0, "L,R1,R2": 1}
    assert game.shapley().to_numpy() == pytest.approx([2 / 3, 1 / 6, 1 / 6], abs=1e-12)
    assert game.core_point().to_numpy() == pytest.approx([1, 0, 0], abs=1e-9)
    assert game.least_core("preimputation").epsilon == pytest.approx(0, abs=1e-9)
    assert game.nucleolus().allocation.to_numpy() == pytest.approx([1, 0, 0], abs=1e-9)
    assert game.in_core([1, 0, 0]) and not game.in_core([0.9, 0.05, 0.05])


def test_glove_counts_name_the_players():
    assert TUGame.glove(2, 3).players == ("L1", "L2", "R1", "R2", "R3")
    assert TUGame.glove(1, 1, players=["R1", "L1"]).value("R1") == 0


# ----------------------------------------------------------------------------------- the airport game


def sequential_equal_sharing(costs):
    """Littlechild & Owen (1973): each increment of runway cost is split equally among those who need it."""
    order = np.argsort(costs, kind="stable")
    ascending = np.asarray(costs, dtype=float)[order]
    increments = np.diff(ascending, prepend=0.0)
    users = len(costs) - np.arange(len(costs))  # players needing at least the k-th length
    shares = np.empty(len(costs))
    shares[order] = np.cumsum(increments / users)
    return shares


def littlechild_nucleolus(costs):
    """Littlechild (1974): players in increasing cost; the next group shares min_k (c_k − paid)/(|group| + 1).

    From the first player not yet charged (``start``), each k < n gives the group start..k equal charges
    (c_k − paid)/(k − start + 2); the smallest (last k on ties) is charged, and the largest player pays the rest.
    """
    order = np.argsort(costs, kind="stable")
    ascending = np.asarray(costs, dtype=float)[order]
    n = len(costs)
    charges = np.zeros(n)
    start, paid = 0, 0.0
    while start < n - 1:
        candidates = np.array([(ascending[k] - paid) / (k - start + 2) for k in range(start, n - 1)])
        last = start + int(np.flatnonzero(candidates <= candidates.min() + 1e-12)[-1])
        charges[start : last + 1] = candidates.min()
        paid += candidates.min() * (last + 1 - start)
        start = last + 1
    charges[n - 1] = ascending[-1] - paid
    result = np.empty(n)
    result[order] = charges
    return result


def test_airport_game_is_a_cost_game_of_the_longest_runway():
    game = TUGame.airport({"small": 1, "medium": 2, "large": 3})
    assert game.kind == "cost"
    assert game.value("small,medium") == 2 and game.value("small,large") == 3 and game.grand_value == 3


def test_airport_worked_examples():
    # Costs 1, 2, 3: Shapley 1/3, 1/3 + 1/2, 1/3 + 1/2 + 1; nucleolus: min(1/2, 2/3) = 1/2 for the
    # first, then (2 − 1/2)/2 = 3/4 for the second, the rest 3 − 5/4 = 7/4 for the third.
    game = TUGame.airport([1, 2, 3], players=["A", "B", "C"])
    assert game.shapley().to_numpy() == pytest.approx([1 / 3, 5 / 6, 11 / 6])
    assert game.nucleolus().allocation.to_numpy() == pytest.approx([0.5, 0.75, 1.75], abs=1e-9)
    # Runways of 100, 150 and 400 yards at 1 per yard (Barron 2013, Game Theory: An Introduction, 2nd ed.,
    # problem 6.25: the least core is one allocation): x_1 ≥ 50 (N∖1), x_2 ≥ 50 (N∖2) and x_1 + x_2 ≤ 100
    # ({1, 2}) at ε = −50 leave only (50, 50, 300), which is therefore the nucleolus.
    runways = TUGame.airport([100, 150, 400])
    assert runways.least_core().epsilon == pytest.approx(-50)
    assert runways.nucleolus().allocation.to_numpy() == pytest.approx([50, 50, 300], abs=1e-7)


airport_costs = st.lists(st.integers(0, 60).map(float), min_size=1, max_size=7)


@given(airport_costs)
def test_airport_shapley_is_sequential_equal_sharing(costs):
    game = TUGame.airport(costs)
    assert game.shapley().to_numpy() == pytest.approx(sequential_equal_sharing(costs), abs=1e-9)


@given(st.lists(st.integers(0, 60).map(float), min_size=1, max_size=6))
@settings(max_examples=30)
def test_airport_nucleolus_is_littlechilds_and_coopgames(costs):
    game = TUGame.airport(costs)
    ours = game.nucleolus().allocation.to_numpy()
    assert ours == pytest.approx(littlechild_nucleolus(costs), abs=1e-7)
    if len(costs) > 1:  # coopgame solves the profit game −c; its nucleolus is minus the cost sharing
        theirs = coopgame.nucleolus(coopgame.Game((-game.values[1:]).tolist()))["allocation"]
        assert ours == pytest.approx(-np.array(theirs), abs=1e-7)
    assert game.in_core(ours, 1e-7)  # airport games are concave: the nucleolus is in the core


# ------------------------------------------------------------------------- other classes and definitions


@pytest.mark.parametrize("n", [3, 4, 6])
def test_apex_game_shapley_value(n):
    # The apex is pivotal exactly when it comes 2nd … (n−1)th: (n − 2)/n; the others share the remaining 2/n.
    value = TUGame.apex(n).shapley().to_numpy()
    assert value == pytest.approx([(n - 2) / n] + [2 / (n * (n - 1))] * (n - 1))


def test_apex_game_winning_coalitions():
    game = TUGame.apex(["apex", "b", "c", "d"])
    assert game.value("apex,c") == 1 and game.value("b,c,d") == 1 and game.value("apex") == 0
    assert game.value("b,c") == 0


def test_unanimity_and_majority_games():
    game = TUGame.unanimity(["A", "B", "C", "D"], ["B", "D"])
    assert game.value("B,D") == 1 and game.value("A,B,C") == 0
    assert game.shapley().to_numpy() == pytest.approx([0, 0.5, 0, 0.5])
    majority = TUGame.majority(5, 3)
    assert majority.value("P1,P2,P3") == 1 and majority.value("P4,P5") == 0
    assert majority.shapley().to_numpy() == pytest.approx([0.2] * 5)
    assert majority.least_core("preimputation").epsilon > 0  # no core: any two disjoint majorities block


small_amounts = st.integers(1, 6).flatmap(lambda n: st.lists(st.integers(0, 9).map(float), min_size=n, max_size=n))


@given(small_amounts, st.integers(1, 30).map(float))
def test_weighted_voting_and_bankruptcy_follow_their_definitions(amounts, level):
    names = [f"P{i}" for i in range(len(amounts))]
    weight = dict(zip(names, amounts, strict=True))
    total = sum(amounts)
    if 0 < level <= total:
        voting = TUGame.weighted_voting(level, weight)
        expected = TUGame.from_callable(names, lambda s: float(sum(weight[i] for i in s) >= level))
        assert np.array_equal(voting.values, expected.values)
    estate = min(level, total)
    bankruptcy = TUGame.bankruptcy(estate, amounts, players=names)
    expected = TUGame.from_callable(names, lambda s: max(0.0, estate - sum(weight[i] for i in weight if i not in s)))
    assert bankruptcy.values == pytest.approx(expected.values)


@given(small_amounts)
def test_airport_and_glove_follow_their_definitions(amounts):
    names = [f"P{i}" for i in range(len(amounts))]
    cost = dict(zip(names, amounts, strict=True))
    expected = TUGame.from_callable(names, lambda s: max((cost[i] for i in s), default=0.0), kind="cost")
    assert np.array_equal(TUGame.airport(cost).values, expected.values)
    left = [name for name in names if cost[name] % 2 == 0]
    right = [name for name in names if cost[name] % 2 == 1]
    if left and right:
        glove = TUGame.glove(left, right, players=names)
        pairs = TUGame.from_callable(names, lambda s: float(min(len(s & set(left)), len(s & set(right)))))
        assert np.array_equal(glove.values, pairs.values)


def test_float_weights_reach_their_quota():
    assert TUGame.weighted_voting(0.3, [0.1, 0.2]).value("P1,P2") == 1  # 0.1 + 0.2 = 0.30000000000000004


# ---------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TUGame.weighted_voting(39, {"US": -7, "UK": 7}), r"weights\.US = -7: must not be negative"),
        (lambda: TUGame.weighted_voting(0, [1, 2]), r"quota = 0: must be positive"),
        (lambda: TUGame.weighted_voting(4, [1, 2]), r"quota = 4: exceeds the total weight 3"),
        (lambda: TUGame.weighted_voting(2, [1, 2], players=["A"]), r"weights = \[1, 2\]: needs one amount per player"),
        (lambda: TUGame.weighted_voting(2, {"A": 1}, players=["A", "B"]), r"weights\.B = None: missing name"),
        (lambda: TUGame.weighted_voting(2, "heavy"), r"weights = 'heavy': give a mapping"),
        (lambda: TUGame.weighted_voting(2, {}), r"weights = \{\}: needs an amount"),
        (lambda: TUGame.bankruptcy(700, [100, 200, 300]), r"estate = 700: exceeds the total claim 600"),
        (lambda: TUGame.bankruptcy(100, [100, "x"]), r"claims\[1\] = 'x': must be a number"),
        (lambda: TUGame.airport({"A": float("nan")}), r"costs\.A = nan: must be finite"),
        (lambda: TUGame.glove(["A"], ["B", "A"]), r"right = 'A': also holds a left glove"),
        (lambda: TUGame.glove(1, 1, players=["L1", "X"]), r"players = .*exactly the holders"),
        (lambda: TUGame.glove(0, 2), r"left = 0: must be at least 1"),
        (lambda: TUGame.apex(2), r"n = 2: an apex game needs at least 3 players"),
        (lambda: TUGame.apex(40), r"n = 40: .*at most 25"),
        (lambda: TUGame.unanimity(["A", "B"], ["C"]), r"carrier\[0\] = 'C': unknown player"),
        (lambda: TUGame.majority(5, 6), r"quota = 6: must be at most 5"),
        (lambda: TUGame(["A"], {"A": 1}, kind="loss"), r"kind = 'loss': use one of"),
    ],
)
def test_constructor_errors_name_the_field_and_value(build, message):
    with pytest.raises(DataError, match=message):
        build()


# ------------------------------------------------------------------------------------------ YAML forms

COUNCIL_AS_IN_ISSUE = {
    "players": PERMANENT + ELECTED,
    "weighted_voting": {"quota": 39, "weights": {**dict.fromkeys(PERMANENT, 7), **dict.fromkeys(ELECTED, 1)}},
}


def test_yaml_forms_build_the_same_games_as_the_constructors(tmp_path):
    path = tmp_path / "council.yaml"
    path.write_text(
        "players: [US, UK, FR, RU, CN, A, B, C, D, E, F, G, H, I, J]\n"
        "weighted_voting: {quota: 39, weights: {US: 7, UK: 7, FR: 7, RU: 7, CN: 7, A: 1, B: 1, C: 1, D: 1, E: 1,"
        " F: 1, G: 1, H: 1, I: 1, J: 1}}\n"
    )
    council = TUGame.from_yaml(path)
    assert np.array_equal(council.values, TUGame.from_mapping(COUNCIL_AS_IN_ISSUE).values)
    assert council.players == tuple(PERMANENT + ELECTED)
    airport = TUGame.from_mapping({"airport": {"costs": {"A": 1, "B": 2}}})
    assert airport.kind == "cost" and airport.to_dict() == {"A": 1, "B": 2, "A,B": 2}
    glove = TUGame.from_mapping({"players": ["R", "L"], "glove": {"left": ["L"], "right": ["R"]}})
    assert glove.players == ("R", "L") and glove.grand_value == 1
    assert TUGame.from_mapping({"players": ["a", "b", "c"], "apex": {}}).value("b,c") == 1
    assert TUGame.from_mapping({"majority": {"n": 3, "quota": 2}}).value("P1,P3") == 1
    unanimity = TUGame.from_mapping({"players": ["a", "b"], "unanimity": {"carrier": ["b"]}})
    assert unanimity.to_dict() == {"a": 0, "b": 1, "a,b": 1}
    cost = TUGame.from_mapping({"players": ["A", "B"], "values": {"A": 3, "B": 4, "A,B": 5}, "kind": "cost"})
    assert cost.kind == "cost"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"players": ["A"]}, r"game = .*give exactly one of values, weighted_voting, .* \(found none\)"),
        (
            {"players": ["A"], "values": {"A": 1}, "airport": {"costs": [1]}},
            r"give exactly one of .*\(found values and airport\)",
        ),
        ({"values": {"A": 1}}, r"players = None: list the players"),
        ({**COUNCIL_AS_IN_ISSUE, "weighted_voting": {"quota": 39}}, r"weighted_voting\.weights = None: missing field"),
        (
            {**COUNCIL_AS_IN_ISSUE, "weighted_voting": {"quota": 39, "weights": {"US": -1}}},
            r"weighted_voting\.weights\.UK = None: missing name",
        ),
        (
            {"weighted_voting": {"quota": 39, "weights": {"US": -1}}},
            r"weighted_voting\.weights\.US = -1: must not be negative",
        ),
        ({"weighted_voting": {"quota": "lots", "weights": [1]}}, r"weighted_voting\.quota = 'lots': must be a number"),
        ({"weighted_voting": {"quota": 1, "weights": [1], "veto": True}}, r"weighted_voting\.veto = True: unknown"),
        ({"bankruptcy": {"estate": 900, "claims": [100, 200]}}, r"bankruptcy\.estate = 900: exceeds the total claim"),
        ({"airport": {"costs": [1, 2]}, "kind": "profit"}, r"kind = 'profit': airport games are cost games"),
        ({"players": ["A"], "values": {"A": 1}, "kind": "gain"}, r"kind = 'gain': use one of"),
        ({"apex": {}}, r"players = None: the apex form needs the list of players \(or apex\.n\)"),
        ({"players": ["a", "b", "c"], "apex": {"n": 3}}, r"apex\.n = 3: give it or players, not both"),
        ({"players": ["a", "b"], "apex": {}}, r"players = \['a', 'b'\]: an apex game needs at least 3"),
        ({"players": ["a", "a"], "glove": {"left": ["a"], "right": 1}}, r"players\[1\] = 'a': duplicate name"),
        ({"players": [f"P{i}" for i in range(30)], "majority": {"quota": 2}}, r"players = 30: .*at most 25"),
    ],
)
def test_yaml_form_errors_name_the_field(record, message):
    with pytest.raises(DataError, match=message):
        TUGame.from_mapping(record)
