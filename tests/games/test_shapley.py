import itertools
from math import factorial

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evgames.data import DataError
from evgames.games import TUGame, modified_shapley, shapley

SEED000 = {"A": 180, "B": 130, "C": 200, "A,B": 355, "A,C": 420, "B,C": 380, "A,B,C": 1000}


def permutation_shapley(game):
    """The definition: average marginal contribution over all orderings."""
    total = np.zeros(game.n)
    for order in itertools.permutations(range(game.n)):
        mask = 0
        for player in order:
            total[player] += game.values[mask | 1 << player] - game.values[mask]
            mask |= 1 << player
    return total / factorial(game.n)


random_games = st.integers(1, 6).flatmap(
    lambda n: st.lists(st.floats(-50, 100), min_size=2**n - 1, max_size=2**n - 1).map(
        lambda values: TUGame([f"P{i}" for i in range(n)], np.array([0.0, *values]))
    )
)


def test_seed000_shapley_by_hand():
    phi = shapley(TUGame(["A", "B", "C"], SEED000))
    # φ_A = 180/3 + (355-130)/6 + (420-200)/6 + (1000-380)/3
    assert phi["A"] == pytest.approx(180 / 3 + 225 / 6 + 220 / 6 + 620 / 3)
    assert phi.to_numpy() == pytest.approx([340.8333333, 295.8333333, 363.3333333])


def test_modified_shapley_eq13():
    phi = pd.Series([340.0, 300.0, 360.0], index=["A", "B", "C"])
    beta = pd.Series([0.4, 0.3, 0.3], index=["A", "B", "C"])
    assert modified_shapley(phi, beta, 1000).to_numpy() == pytest.approx(
        [340 + (0.4 - 1 / 3) * 1000, 300 + (0.3 - 1 / 3) * 1000, 360 + (0.3 - 1 / 3) * 1000]
    )


@given(random_games)
def test_matches_permutation_definition(game):
    assert shapley(game).to_numpy() == pytest.approx(permutation_shapley(game), abs=1e-9)


@given(random_games)
def test_efficiency(game):
    assert shapley(game).sum() == pytest.approx(game.grand_value, abs=1e-9)


@given(random_games, random_games)
def test_additivity(first, second):
    if first.n != second.n:
        return
    both = TUGame(first.players, first.values + second.values)
    assert shapley(both).to_numpy() == pytest.approx(shapley(first).to_numpy() + shapley(second).to_numpy(), abs=1e-9)


@given(random_games)
def test_null_player_gets_zero(game):
    # Add a player whose marginal contribution is always 0.
    values = np.concatenate([game.values, game.values])
    extended = TUGame([*game.players, "null"], values)
    assert shapley(extended)["null"] == pytest.approx(0, abs=1e-9)


@given(random_games)
def test_symmetric_players_get_equal_values(game):
    # Make players 0 and 1 symmetric by symmetrising v over swapping them.
    if game.n < 2:
        return
    masks = np.arange(game.values.size)
    swapped = masks & ~3 | (masks & 1) << 1 | (masks & 2) >> 1
    symmetric = TUGame(game.players, (game.values + game.values[swapped]) / 2)
    phi = shapley(symmetric)
    assert phi.iloc[0] == pytest.approx(phi.iloc[1], abs=1e-9)


def test_game_construction_and_errors():
    game = TUGame(["A", "B", "C"], SEED000)
    assert game.value("A,C") == 420 and game.value(("C", "A")) == 420 and game.label(0b101) == "A,C"
    assert TUGame.from_mapping({"players": ["A", "B", "C"], "values": SEED000}).to_dict()["A,B,C"] == 1000
    with pytest.raises(DataError, match="no value"):
        TUGame(["A", "B", "C"], {k: v for k, v in SEED000.items() if k != "B,C"})
    with pytest.raises(DataError, match="length 8"):
        TUGame(["A", "B", "C"], np.zeros(7))
    with pytest.raises(DataError, match="empty coalition"):
        TUGame(["A"], np.array([1.0, 2.0]))
    with pytest.raises(DataError, match="unknown player"):
        TUGame(["A", "B"], {"A": 1, "B": 1, "A,D": 2})
    with pytest.raises(DataError, match="duplicate"):
        TUGame(["A", "A"], np.zeros(4))


@pytest.mark.parametrize("n", [0, 1, 2, 5, 11])
@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
def test_coalition_sizes_are_population_counts(n, dtype):
    from evgames.games.coalitions import coalition_sizes

    masks = np.arange(1 << n, dtype=np.uint64)
    assert coalition_sizes(n, dtype).tolist() == np.bitwise_count(masks).tolist()


@given(st.integers(7, 10), st.integers(0, 2**32 - 1))
def test_shapley_of_larger_games_is_the_marginal_contribution_average(n, seed):
    """φ_i = Σ_{S ∌ i} |S|!(n−|S|−1)!/n! (v(S ∪ i) − v(S)), summed coalition by coalition (eq. 10)."""
    values = np.concatenate([[0.0], np.random.default_rng(seed).normal(size=2**n - 1)])
    game = TUGame([f"P{i}" for i in range(n)], values)
    expected = np.zeros(n)
    for mask in range(2**n):
        size = bin(mask).count("1")
        weight = factorial(size) * factorial(n - size - 1) / factorial(n) if size < n else 0.0
        for i in range(n):
            if not mask >> i & 1:
                expected[i] += weight * (values[mask | 1 << i] - values[mask])
    assert shapley(game).to_numpy() == pytest.approx(expected, abs=1e-9)
