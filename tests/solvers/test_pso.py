import numpy as np
import pyomo.environ as pyo
import pytest

from evgames.solvers import (
    NonOptimalTerminationError,
    PSOSettings,
    SolverConfig,
    SolverOptionError,
    Status,
    pso_minimise,
    solve,
)


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


def _box_model(upper_x: float = 1.0, floor: float | None = None):
    model = pyo.ConcreteModel()
    model.x = pyo.Var(bounds=(0, upper_x))
    model.y = pyo.Var(bounds=(0, 1))
    model.value = pyo.Objective(expr=(model.x - 0.3) ** 2 + (model.y - 0.6) ** 2)
    if floor is not None:  # x >= floor beyond the box: no feasible point exists
        model.floor = pyo.Constraint(expr=model.x >= floor)
    return model


def test_a_converged_swarm_is_not_called_optimal():
    result = solve(_box_model(), SolverConfig(name="pso", options={"seed": 1}))  # no raise: the swarm converged
    assert result.status == Status.CONVERGED and result.converged and not result.ok
    assert result.values["x"] == pytest.approx(0.3, abs=1e-4)  # the sphere's minimum, by definition
    assert "not proved" in result.message


def test_a_swarm_stopped_by_its_iteration_limit_says_so():
    config = SolverConfig(name="pso", options={"iterations": 5, "stall_iterations": 100})
    result = solve(_box_model(), config, raise_on_failure=False)
    assert result.status == Status.ITERATION_LIMIT and not result.converged
    assert "iteration limit of 5" in result.message and "best feasible point" in result.message
    with pytest.raises(NonOptimalTerminationError, match="iteration_limit"):
        solve(_box_model(), config)


def test_a_swarm_without_a_feasible_point_does_not_claim_infeasibility():
    result = solve(_box_model(floor=2.0), SolverConfig(name="pso", options={"seed": 3}), raise_on_failure=False)
    assert result.status == Status.NO_FEASIBLE_POINT and result.status != Status.INFEASIBLE
    assert "not proved" in result.message


def test_native_stdout_redirections_overlapping_in_threads_restore_stdout():
    # descriptor 1 is the process's: overlapping blocks in four threads must leave it where it was
    import os
    import threading

    from evgames.solvers.native_output import silenced_native_stdout

    before = os.fstat(1)

    def work():
        for _ in range(200):
            with silenced_native_stdout():
                pass

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = os.fstat(1)
    assert (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)


@pytest.mark.parametrize(
    ("bounds", "named"),
    [({"x": 5}, "bounds.x"), ([1, 2], "bounds ="), ({"x": [3, 1]}, "bounds.x"), ({"x": [0, True]}, "bounds.x")],
)
def test_bad_pso_bounds_are_refused_with_the_option_named(bounds, named):
    with pytest.raises(SolverOptionError, match=named.replace(".", r"\.")):
        PSOSettings(bounds=bounds)
