import numpy as np
import pytest

from evgames.solvers import PSOSettings, SolverOptionError, pso_minimise


def sphere(points):
    return ((points - 0.3) ** 2).sum(axis=1), np.zeros(len(points))


def test_same_seed_same_run_and_different_seed_different_run():
    lower, upper = -np.ones(4), np.ones(4)
    first = pso_minimise(sphere, lower, upper, PSOSettings(seed=11))
    again = pso_minimise(sphere, lower, upper, PSOSettings(seed=11))
    other = pso_minimise(sphere, lower, upper, PSOSettings(seed=12))
    assert np.array_equal(first.x, again.x) and np.array_equal(first.history, again.history)
    assert not np.array_equal(first.history, other.history)
    assert first.x == pytest.approx(0.3 * np.ones(4), abs=1e-4)


@pytest.mark.parametrize("schedule", ["time-varying", "constant"])
def test_constrained_minimum_on_the_boundary(schedule):
    # min x + y s.t. x^2 + y^2 <= 1 -> (-1/√2, -1/√2).
    def fitness(points):
        return points.sum(axis=1), np.maximum((points**2).sum(axis=1) - 1, 0)

    outcome = pso_minimise(fitness, -2 * np.ones(2), 2 * np.ones(2), PSOSettings(schedule=schedule, seed=1))
    assert outcome.x == pytest.approx(-np.ones(2) / np.sqrt(2), abs=2e-3)
    assert outcome.violation <= 1e-7


def test_time_varying_schedule_is_linear():
    settings = PSOSettings(iterations=100)
    assert settings.coefficients(0.0) == pytest.approx((0.9, 2.5, 0.5))
    assert settings.coefficients(0.5) == pytest.approx((0.65, 1.5, 1.5))
    assert settings.coefficients(1.0) == pytest.approx((0.4, 0.5, 2.5))


def test_invalid_settings():
    with pytest.raises(SolverOptionError, match="schedule"):
        PSOSettings(schedule="chaotic")
    with pytest.raises(SolverOptionError, match="swarm_size"):
        PSOSettings(swarm_size=0)
