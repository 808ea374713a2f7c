"""Defining properties and definitions, independent of any other implementation."""

import itertools
from math import factorial

import numpy as np
import pytest
from game_strategies import games
from hypothesis import given

from evgames.data import DataError
from evgames.games import TUGame, banzhaf, harsanyi_dividends, shapley, shapley_sampled, solidarity
from evgames.games.excess import core_point, in_core, least_core, nucleolus


def members(mask, n):
    return [i for i in range(n) if mask >> i & 1]


def banzhaf_by_definition(game):
    n = game.n
    result = np.zeros(n)
    for i in range(n):
        for mask in range(1 << n):
            if not mask >> i & 1:
                result[i] += game.values[mask | 1 << i] - game.values[mask]
    return result / 2 ** (n - 1)


def solidarity_by_definition(game):
    n = game.n
    result = np.zeros(n)
    for mask in range(1, 1 << n):
        inside = members(mask, n)
        s = len(inside)
        average = sum(game.values[mask] - game.values[mask ^ 1 << k] for k in inside) / s
        for i in inside:
            result[i] += factorial(s - 1) * factorial(n - s) / factorial(n) * average
    return result


@given(games(max_players=6))
def test_banzhaf_and_solidarity_match_their_definitions(game):
    assert banzhaf(game).to_numpy() == pytest.approx(banzhaf_by_definition(game), abs=1e-9)
    assert solidarity(game).to_numpy() == pytest.approx(solidarity_by_definition(game), abs=1e-9)


@given(games(max_players=6))
def test_solidarity_is_efficient_and_dividends_rebuild_the_game(game):
    assert solidarity(game).sum() == pytest.approx(game.grand_value, abs=1e-9)
    dividends = harsanyi_dividends(game)
    for mask in range(1, 1 << game.n):
        subsets = [sub for sub in range(1, mask + 1) if sub & mask == sub]
        assert sum(dividends[game.label(sub)] for sub in subsets) == pytest.approx(game.values[mask], abs=1e-7)


@given(games(min_players=2, max_players=5))
def test_nucleolus_lies_in_the_core_whenever_it_is_non_empty(game):
    core = least_core(game, "preimputation")
    found = nucleolus(game, "preimputation").allocation
    x = found.to_numpy()
    excess = [game.values[mask] - x[members(mask, game.n)].sum() for mask in range(1, (1 << game.n) - 1)]
    assert max(excess) == pytest.approx(core.epsilon, abs=1e-7)  # the nucleolus is in the least core
    assert game.core_nonempty == (core.epsilon <= 1e-9 * max(1.0, abs(game.grand_value)))
    if core.epsilon <= 0:
        assert in_core(game, found, 1e-7)
        assert core_point(game) is not None
    else:
        assert core_point(game) is None


@given(games(min_players=2, max_players=4))
def test_least_core_epsilon_is_the_smallest_largest_excess(game):
    core = least_core(game, "preimputation")
    x = core.allocation.to_numpy()
    excess = [game.values[mask] - x[members(mask, game.n)].sum() for mask in range(1, (1 << game.n) - 1)]
    assert max(excess) == pytest.approx(core.epsilon, abs=1e-7)
    rng = np.random.default_rng(0)
    for _ in range(30):  # no nearby efficient allocation does better
        step = rng.normal(size=game.n)
        step -= step.mean()
        y = x + 0.01 * step
        worse = max(game.values[mask] - y[members(mask, game.n)].sum() for mask in range(1, (1 << game.n) - 1))
        assert worse >= core.epsilon - 1e-7


def test_sampled_shapley_converges_and_is_seeded():
    game = TUGame.from_callable(["A", "B", "C", "D"], lambda s: len(s) ** 2 + ("A" in s) * 3)
    exact = shapley(game)
    estimate = shapley_sampled(game, permutations=4000, seed=3)
    assert np.all(np.abs(estimate.value - exact) <= 4 * estimate.standard_error + 1e-12)
    again = shapley_sampled(game, permutations=4000, seed=3)
    assert estimate.value.equals(again.value)
    named = shapley_sampled((["A", "B", "C", "D"], lambda s: len(s) ** 2 + ("A" in s) * 3), 4000, seed=3)
    assert named.value.to_numpy() == pytest.approx(estimate.value.to_numpy())


def test_structure_of_known_games():
    convex = TUGame.from_callable(["A", "B", "C"], lambda s: len(s) ** 2)
    assert convex.convex and convex.superadditive and convex.essential and convex.core_nonempty
    glove = TUGame(["L", "R1", "R2"], {"L": 0, "R1": 0, "R2": 0, "L,R1": 1, "L,R2": 1, "R1,R2": 0, "L,R1,R2": 1})
    assert glove.superadditive and not glove.convex
    assert nucleolus(glove).allocation.to_numpy() == pytest.approx([1, 0, 0], abs=1e-9)  # the glove market
    subadditive = TUGame(["A", "B"], {"A": 5, "B": 5, "A,B": 6})
    assert not subadditive.superadditive and not subadditive.essential
    with pytest.raises(DataError, match="imputation set is empty"):
        nucleolus(subadditive)
    assert nucleolus(subadditive, "preimputation").allocation.to_numpy() == pytest.approx([3, 3])


def test_every_ordering_definition_small():
    game = TUGame.from_callable(["A", "B", "C"], lambda s: {0: 0, 1: 1, 2: 4, 3: 10}[len(s)] + ("B" in s))
    totals = np.zeros(3)
    for order in itertools.permutations(range(3)):
        mask = 0
        for player in order:
            totals[player] += game.values[mask | 1 << player] - game.values[mask]
            mask |= 1 << player
    assert shapley(game).to_numpy() == pytest.approx(totals / 6)
