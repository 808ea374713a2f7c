"""Cross-checks against coopgame-py (Rust; certifies nucleoli) on random games."""

import coopgame
import numpy as np
import pytest
from game_strategies import games
from hypothesis import given, settings

from evgames.games import TUGame, banzhaf, shapley, solidarity
from evgames.games.excess import least_core, nucleolus


def reference(game):
    return coopgame.Game(game.values[1:].tolist())


@given(games(max_players=10))
@settings(max_examples=60)
def test_values_equal_coopgame(game):
    other = reference(game)
    assert shapley(game).to_numpy() == pytest.approx(coopgame.shapley(other), abs=1e-9)
    assert banzhaf(game).to_numpy() == pytest.approx(coopgame.banzhaf(other), abs=1e-9)
    assert solidarity(game).to_numpy() == pytest.approx(coopgame.solidarity(other), abs=1e-9)


@given(games(min_players=2, max_players=7))
@settings(max_examples=40)
def test_nucleolus_and_least_core_equal_coopgame(game):
    other = reference(game)
    for domain in ("imputation", "preimputation"):
        theirs = coopgame.nucleolus(other, domain=domain)
        ours = nucleolus(game, domain)
        assert ours.allocation.to_numpy() == pytest.approx(np.array(theirs["allocation"]), abs=1e-7)
        assert least_core(game, domain).epsilon == pytest.approx(
            coopgame.least_core(other, domain=domain)["epsilon"], abs=1e-7
        )


@pytest.mark.slow
def test_larger_games_equal_coopgame():
    rng = np.random.default_rng(5)
    for n in (9, 10):
        values = np.concatenate([[0.0], rng.random(2**n - 1) * np.bitwise_count(np.arange(1, 2**n)).astype(float)])
        values[-1] = max(values[-1], sum(values[1 << i] for i in range(n)) + 1.0)  # imputations exist
        game = TUGame([f"P{i}" for i in range(n)], values)
        other = reference(game)
        assert nucleolus(game).allocation.to_numpy() == pytest.approx(
            np.array(coopgame.nucleolus(other)["allocation"]), abs=1e-7
        )
