"""Cost games read as cost sharing, and the flat and method-style API of the solution concepts."""

import numpy as np
import pytest
from game_strategies import games
from hypothesis import given

import evgames.games as flat
from evgames.data import DataError
from evgames.games import (
    TUGame,
    allocation_checks,
    banzhaf,
    core_point,
    in_core,
    least_core,
    normalised_banzhaf,
    nucleolus,
    prenucleolus,
    shapley,
    solidarity,
)
from evgames.games.excess import build_excess_model


def as_cost(game):
    """The cost game c = −v of a profit game v."""
    return TUGame(game.players, -game.values, kind="cost")


def largest_cost_excess(cost, x):
    """max over proper S of x(S) − c(S): the excess of cost sharing, by its definition."""
    sums = cost.coalition_sums(x)
    return float(np.max(sums[1:-1] - cost.values[1:-1]))


@given(games(min_players=2, max_players=5))
def test_cost_concepts_satisfy_the_cost_sharing_definitions(profit):
    cost = as_cost(profit)
    for domain in ("imputation", "preimputation"):
        core = least_core(cost, domain)
        x = core.allocation.to_numpy()
        assert x.sum() == pytest.approx(cost.grand_value, abs=1e-7)
        if domain == "imputation":
            assert np.all(x <= cost.values[1 << np.arange(cost.n)] + 1e-7)  # x_i ≤ c({i})
        assert largest_cost_excess(cost, x) == pytest.approx(core.epsilon, abs=1e-7)
        found = nucleolus(cost, domain).allocation.to_numpy()
        assert largest_cost_excess(cost, found) == pytest.approx(core.epsilon, abs=1e-7)
        assert found == pytest.approx(-nucleolus(profit, domain).allocation.to_numpy(), abs=1e-7)
        assert nucleolus(cost, domain).levels == pytest.approx(nucleolus(profit, domain).levels, abs=1e-7)
    point = core_point(cost)
    assert (point is None) == (core_point(profit) is None)
    if point is not None:
        sums = cost.coalition_sums(point.to_numpy())
        assert np.all(sums <= cost.values + 1e-7) and in_core(cost, point, 1e-7)


@given(games(min_players=1, max_players=5))
def test_linear_values_read_a_cost_game_as_it_stands(profit):
    cost = TUGame(profit.players, profit.values, kind="cost")
    for value in (shapley, banzhaf, solidarity):
        assert value(cost).equals(value(profit))


def test_in_core_and_checks_use_the_cost_direction():
    cost = TUGame.airport({"small": 1, "medium": 2, "large": 3})
    fair = cost.shapley()
    assert cost.in_core(fair) and allocation_checks(cost, fair) == {
        "efficient": True,
        "individually_rational": True,
        "in_core": True,
    }
    overcharged = fair.copy()
    overcharged[["small", "large"]] += [1, -1]  # small pays 4/3 > c(small) = 1
    assert allocation_checks(cost, overcharged) == {"efficient": True, "individually_rational": False, "in_core": False}
    # read as profits, the same numbers are judged the other way round: x_i ≥ v({i}) fails
    assert not in_core(TUGame(cost.players, cost.values), fair)


def test_cost_game_structure_and_errors():
    subadditive = TUGame(["A", "B"], {"A": 5, "B": 5, "A,B": 6}, kind="cost")
    assert subadditive.essential and subadditive.profit_game().superadditive
    assert nucleolus(subadditive).allocation.to_numpy() == pytest.approx([3, 3])
    dearer_together = TUGame(["A", "B"], {"A": 1, "B": 1, "A,B": 3}, kind="cost")
    assert not dearer_together.essential
    with pytest.raises(DataError, match=r"c\(N\) exceeds Σ c\(\{i\}\): the imputation set is empty"):
        nucleolus(dearer_together)
    with pytest.raises(DataError, match=r"game\.kind = 'cost'.*profit_game"):
        build_excess_model(dearer_together)
    assert repr(dearer_together) == "TUGame(players=['A', 'B'], v(N)=3, kind='cost')"


def test_flat_functions_and_thin_methods_agree():
    game = TUGame(["A", "B", "C"], {"A": 1, "B": 2, "C": 0, "A,B": 4, "A,C": 3, "B,C": 4, "A,B,C": 7})
    assert game.shapley().equals(shapley(game)) and game.banzhaf().equals(banzhaf(game))
    assert game.normalised_banzhaf().equals(normalised_banzhaf(game)) and game.solidarity().equals(solidarity(game))
    assert game.nucleolus().allocation.equals(flat.nucleolus(game).allocation)
    assert game.prenucleolus().allocation.equals(prenucleolus(game).allocation)
    assert game.least_core().epsilon == least_core(game).epsilon
    assert game.core_point().equals(core_point(game)) and game.in_core(game.core_point())
    for name in (
        "shapley",
        "banzhaf",
        "solidarity",
        "nucleolus",
        "prenucleolus",
        "least_core",
        "core_point",
        "in_core",
    ):
        assert callable(getattr(flat, name)) and name in flat.__all__


@given(games(min_players=2, max_players=5))
def test_prenucleolus_is_the_nucleolus_over_preimputations(game):
    found = prenucleolus(game)
    assert found.allocation.name == "prenucleolus"
    assert found.allocation.to_numpy() == pytest.approx(
        nucleolus(game, "preimputation").allocation.to_numpy(), abs=1e-9
    )
    if game.core_nonempty:  # both lie in the core, where they coincide
        # to 10x HiGHS's primal feasibility tolerance (1e-7): games valued near 1e-7 differ at that level
        assert found.allocation.to_numpy() == pytest.approx(nucleolus(game).allocation.to_numpy(), abs=1e-6)
