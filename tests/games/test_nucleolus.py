"""The (pre)nucleolus against its definition, against coopgame-py on degenerate games, and its exact span test."""

from fractions import Fraction

import coopgame
import numpy as np
import pytest
from game_strategies import games
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from evgames.data import DataError
from evgames.games import TUGame
from evgames.games.coalition_span import CoalitionSpan
from evgames.games.coalitions import coalition_sums
from evgames.games.excess import build_excess_model, core_point, in_core, least_core, nucleolus, prenucleolus
from evgames.solvers import HighsLP

DOMAINS = ("imputation", "preimputation")


def excesses_from_largest(game, x):
    """θ(x): the excesses v(S) − x(S) of the proper coalitions, sorted from the largest."""
    sums = coalition_sums(np.asarray(x, dtype=float))
    return np.sort(game.values[1:-1] - sums[1:-1])[::-1]


def lexicographically_no_larger(first, second, tolerance=1e-7):
    """first ≤ second in the lexicographic order, entries equal within ``tolerance`` counting as ties."""
    for a, b in zip(first, second):
        if a < b - tolerance:
            return True
        if a > b + tolerance:
            return False
    return True


def random_imputations(game, domain, rng, count):
    """Imputations (x_i ≥ v({i}), x(N) = v(N)) or pre-imputations (x(N) = v(N)) spread over the set."""
    standalone = game.values[1 << np.arange(game.n)]
    if domain == "imputation":
        surplus = game.grand_value - standalone.sum()
        return standalone + surplus * rng.dirichlet(np.ones(game.n), size=count)
    spread = rng.normal(scale=max(1.0, abs(game.grand_value)), size=(count, game.n))
    return spread - spread.mean(axis=1, keepdims=True) + game.grand_value / game.n


def integer_games(min_players=2, max_players=6, top=3):
    """Games with small integer values: many coalitions tie, so the LPs are degenerate."""

    def build(n_and_values):
        n, values = n_and_values
        array = np.array([0.0, *values], dtype=float)
        array[-1] = max(array[-1], sum(array[1 << i] for i in range(n)) + 1.0)  # imputations exist
        return TUGame([f"P{i}" for i in range(n)], array)

    return (
        st.integers(min_players, max_players)
        .flatmap(lambda n: st.tuples(st.just(n), st.lists(st.integers(0, top), min_size=2**n - 1, max_size=2**n - 1)))
        .map(build)
    )


def kohlberg_balanced(game, x, domain, tolerance=1e-6):
    """Kohlberg's (1971) criterion, checked level by level with linear programs of its own (SciPy).

    x is the prenucleolus iff for every α the coalitions with excess ≥ α form a balanced collection: positive
    weights λ_S with Σ λ_S 1_S = 1_N. For the nucleolus, singletons {i} with x_i = v({i}) may join with weights
    ≥ 0 (Peleg & Sudhölter 2007, Theorem 5.1.6). Excesses within ``tolerance`` of each other form one level.
    """
    n = game.n
    masks = np.arange(1, (1 << n) - 1)
    excess = game.values[masks] - coalition_sums(np.asarray(x, dtype=float))[masks]
    standalone = game.values[1 << np.arange(n)]
    at_bound = np.flatnonzero(np.abs(x - standalone) <= tolerance) if domain == "imputation" else np.array([], int)
    for level in np.unique(np.round(excess / tolerance))[::-1] * tolerance:
        top = masks[excess >= level - tolerance]
        # max t s.t. Σ λ_S 1_S + Σ μ_i e_i = 1_N, λ_S ≥ t, μ_i ≥ 0, t ≤ 1: balanced iff t > 0.
        columns = np.hstack([((top[None, :] >> np.arange(n)[:, None]) & 1), np.eye(n)[:, at_bound]])
        weights = top.size + at_bound.size
        equality = np.hstack([columns, np.zeros((n, 1))])
        lower_by_t = np.hstack([-np.eye(top.size, weights), np.ones((top.size, 1))])  # t − λ_S ≤ 0
        cost = np.zeros(weights + 1)
        cost[-1] = -1.0
        found = linprog(
            cost,
            A_ub=lower_by_t,
            b_ub=np.zeros(top.size),
            A_eq=equality,
            b_eq=np.ones(n),
            bounds=[(0, None)] * weights + [(None, 1)],
        )
        if found.status != 0 or -found.fun <= 1e-9:
            return False
    return True


@given(games(min_players=2, max_players=5))
@settings(max_examples=30)
def test_kohlberg_criterion_holds(game):
    for domain in DOMAINS:
        assert kohlberg_balanced(game, nucleolus(game, domain).allocation.to_numpy(), domain)


@given(games(min_players=2, max_players=6), st.integers(0, 2**32 - 1))
@settings(max_examples=40)
def test_no_imputation_has_lexicographically_smaller_excesses(game, seed):
    # Schmeidler (1969): the nucleolus minimises θ lexicographically over the domain. Compare with points spread
    # over the domain and with points on the segments towards them, close to the nucleolus (where a wrong
    # answer would lose on a later, smaller excess).
    rng = np.random.default_rng(seed)
    for domain in DOMAINS:
        found = nucleolus(game, domain).allocation.to_numpy()
        best = excesses_from_largest(game, found)
        for other in random_imputations(game, domain, rng, 60):
            for step in (1.0, 0.1, 1e-2, 1e-3):
                candidate = found + step * (other - found)  # the domain is convex: still in it
                assert lexicographically_no_larger(best, excesses_from_largest(game, candidate))


@given(integer_games())
@settings(max_examples=40)
def test_degenerate_games_equal_coopgame(game):
    other = coopgame.Game(game.values[1:].tolist())
    for domain in DOMAINS:
        theirs = np.array(coopgame.nucleolus(other, domain=domain)["allocation"])
        assert nucleolus(game, domain).allocation.to_numpy() == pytest.approx(theirs, abs=1e-7)
    theirs = np.array(coopgame.prenucleolus(other)["allocation"])
    assert prenucleolus(game).allocation.to_numpy() == pytest.approx(theirs, abs=1e-7)


@given(games(min_players=2, max_players=6))
def test_levels_start_at_the_least_core_and_never_rise(game):
    for domain in DOMAINS:
        found = nucleolus(game, domain)
        epsilon = least_core(game, domain).epsilon
        assert found.levels[0] == pytest.approx(epsilon, abs=1e-7)
        assert np.all(np.diff(found.levels) <= 1e-7)
        assert excesses_from_largest(game, found.allocation.to_numpy())[0] == pytest.approx(epsilon, abs=1e-7)
        assert found.allocation.sum() == pytest.approx(game.grand_value, abs=1e-7)
        if domain == "imputation":
            assert np.all(found.allocation.to_numpy() >= game.values[1 << np.arange(game.n)] - 1e-7)


@given(games(min_players=2, max_players=6), st.sampled_from([1e-9, 1e-3, 1e3, 1e9]), st.integers(0, 2**32 - 1))
def test_covariant_under_scaling_and_additive_games(game, factor, seed):
    # The nucleolus of a·v + b (b additive, b(S) = Σ_{i∈S} b_i) is a·ν(v) + b, for a > 0 (Schmeidler 1969): the
    # excesses are multiplied by a. Games of tiny and huge values check that no tolerance is absolute.
    shift = np.random.default_rng(seed).normal(size=game.n)
    moved = TUGame(game.players, factor * game.values + coalition_sums(factor * shift))
    for domain in DOMAINS:
        expected = factor * (nucleolus(game, domain).allocation.to_numpy() + shift)
        assert nucleolus(moved, domain).allocation.to_numpy() == pytest.approx(expected, rel=1e-7, abs=1e-7 * factor)


@given(games(min_players=2, max_players=6))
@settings(max_examples=15)
def test_least_core_equals_the_full_lp(game):
    # Row generation against the LP over every coalition at once (the Pyomo model, compiled by HighsLP).
    for domain in DOMAINS:
        full = HighsLP(build_excess_model(game, domain)).solve().objective
        assert least_core(game, domain).epsilon == pytest.approx(full, abs=1e-7)


@pytest.mark.parametrize("n", [3, 5, 8, 11])
def test_symmetric_games_split_equally(n):
    # v(S) depends on |S| only: every coalition of a size ties, the most degenerate LPs there are. The nucleolus is
    # unique and symmetric players get the same, so it is v(N) / n each (Schmeidler 1969).
    rng = np.random.default_rng(n)
    by_size = np.concatenate([[0.0], np.sort(rng.random(n)) * np.arange(1, n + 1)])
    game = TUGame([f"P{i}" for i in range(n)], by_size[np.bitwise_count(np.arange(2**n))])
    for domain in DOMAINS:
        assert nucleolus(game, domain).allocation.to_numpy() == pytest.approx(np.full(n, game.grand_value / n))


@pytest.mark.slow
def test_larger_degenerate_games_equal_coopgame():
    rng = np.random.default_rng(11)
    for n in (11, 12):
        values = np.concatenate([[0.0], rng.integers(0, 4, 2**n - 1).astype(float)])
        values[-1] = max(values[-1], values[1 << np.arange(n)].sum() + 1.0)
        game = TUGame([f"P{i}" for i in range(n)], values)
        other = coopgame.Game(values[1:].tolist())
        for domain in DOMAINS:
            theirs = np.array(coopgame.nucleolus(other, domain=domain)["allocation"])
            assert nucleolus(game, domain).allocation.to_numpy() == pytest.approx(theirs, abs=1e-7)


# ------------------------------------------------------------------------------------------ the span test


def rank_in_fractions(rows):
    """Rank of a list of integer vectors by Gaussian elimination in exact fractions."""
    matrix = [[Fraction(int(entry)) for entry in row] for row in rows]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[rank][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank])]
        rank += 1
    return rank


def incidence(mask, n):
    return [mask >> i & 1 for i in range(n)]


@given(st.integers(2, 7).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.integers(1, 2**n - 1), max_size=8))))
def test_span_membership_and_rank_are_exact(n_and_masks):
    n, added = n_and_masks
    span = CoalitionSpan(n)
    rows = [incidence((1 << n) - 1, n)]
    for mask in added:
        before = rank_in_fractions(rows)
        grown = span.add(np.array([incidence(mask, n)]))
        rows.append(incidence(mask, n))
        assert grown == rank_in_fractions(rows) - before
    assert span.rank == rank_in_fractions(rows)
    masks = np.arange(1 << n)
    expected = [rank_in_fractions([*rows, incidence(mask, n)]) == span.rank for mask in masks]
    assert span.contains(masks).tolist() == expected


@pytest.mark.parametrize("n", [0, 1, 2, 5, 10])
def test_coalition_sums_are_the_members_amounts_added_one_by_one(n):
    amounts = np.random.default_rng(n).normal(size=n)
    expected = [sum(amounts[i] for i in range(n) if mask >> i & 1) for mask in range(1 << n)]
    assert coalition_sums(amounts) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("scale", [1e-9, 1.0, 1e9])
def test_an_empty_imputation_set_is_refused_at_any_scale(scale):
    # v({1}) + v({2}) = 1.0002 > v(N) = 1: no imputation, in any unit
    empty = TUGame(["A", "B"], np.array([0.0, 0.6, 0.4002, 1.0]) * scale)
    with pytest.raises(DataError, match="imputation set is empty"):
        nucleolus(empty)
    # an additive game (v(S) = Σ_{i∈S} v({i})) has exactly one imputation, whatever rounding its sums carry
    weights = np.array([0.1, 0.2, 0.3, 0.7, 1.1, 1.3, 1.7]) * scale
    additive = TUGame([f"P{i}" for i in range(7)], coalition_sums(weights))
    assert nucleolus(additive).allocation.to_numpy() == pytest.approx(weights, rel=1e-9)


@pytest.mark.parametrize("scale", [1e-9, 1.0, 1e9])
def test_the_core_is_judged_in_the_game_s_own_units(scale):
    # the 3-player majority game has an empty core (least core ε = 1/3 of a unit) at any scale
    majority = TUGame(["A", "B", "C"], np.array([0, 0, 0, 1, 0, 1, 1, 1], dtype=float) * scale)
    assert not majority.core_nonempty
    assert core_point(majority) is None
    assert not in_core(majority, np.full(3, scale / 3))
    # the unanimity game on {A, B} has a core: anything splitting v between A and B
    unanimity = TUGame(["A", "B", "C"], np.array([0, 0, 0, 1, 0, 0, 0, 1], dtype=float) * scale)
    assert unanimity.core_nonempty and in_core(unanimity, np.array([0.5, 0.5, 0.0]) * scale)
