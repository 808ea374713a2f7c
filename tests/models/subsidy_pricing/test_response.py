import numpy as np
import pytest
from strategies import small_operator

from evgames.data import DataError
from evgames.data.subsidy_pricing import synthetic_trips
from evgames.models.subsidy_pricing import (
    OperatorProblem,
    ResponseTable,
    Subsidies,
    best_response,
    choice_thresholds,
    exact_best_response,
    fleet_size,
    vehicles_in_use,
)
from evgames.solvers import NonOptimalTerminationError

# A small operator: few vehicles and low costs, so that a few dozen trips can be profitable.
SMALL = small_operator()
SUBSIDY = Subsidies(0.1444, 0.3835)


def grid_best(params, trips, steps=(101, 41)):
    """Brute force over a price grid: a lower bound the exact supremum must reach."""
    a = np.column_stack([trips["distance_km"], trips["duration_min"]])
    b = choice_thresholds(params, trips)
    problem = OperatorProblem(params, trips)
    best = -np.inf
    for ps in np.linspace(0, params.price_per_km_max, steps[0]):
        for pt in np.linspace(0, params.price_per_min_max, steps[1]):
            chosen = a @ np.array([ps, pt]) < b
            value = problem.value(chosen, np.array([ps, pt]), SUBSIDY)
            fleet = fleet_size(params, SUBSIDY.total, int(chosen.sum()))
            if value > 0 and vehicles_in_use(trips, chosen) <= params.in_use_share * fleet:
                best = max(best, value)
    return best


@pytest.mark.parametrize(("count", "seed"), [(60, 2), pytest.param(100, 3, marks=pytest.mark.slow)])
def test_exact_equals_milp_and_beats_a_grid(count, seed):
    problem = OperatorProblem(SMALL, synthetic_trips(count, seed))
    exact = best_response(problem, SUBSIDY)
    milp = best_response(problem, SUBSIDY, "milp")
    assert exact.operator == pytest.approx(milp.operator, rel=1e-6)
    assert exact.trips == milp.trips
    assert exact.operator >= grid_best(SMALL, problem.trips) - 1e-6


def test_the_reported_prices_and_set_are_consistent():
    trips = synthetic_trips(100, 3)
    found = best_response(OperatorProblem(SMALL, trips), SUBSIDY)
    a = np.column_stack([trips["distance_km"], trips["duration_min"]])
    b = choice_thresholds(SMALL, trips)
    margin = a @ np.array([found.price_per_km, found.price_per_min]) - b
    strictly = int((margin < -1e-9).sum())
    on_line = int((np.abs(margin) <= 1e-9).sum())
    assert strictly <= found.trips <= strictly + on_line
    assert found.supremum == (found.trips > strictly)


def test_both_methods_agree_when_nothing_is_feasible():
    problem = OperatorProblem(SMALL, synthetic_trips(30, 1))  # the fleet-in-use limit cannot be met profitably
    with pytest.raises(DataError, match="no feasible price pair"):
        best_response(problem, SUBSIDY)
    with pytest.raises(NonOptimalTerminationError, match="infeasible"):
        best_response(problem, SUBSIDY, "milp")


@pytest.mark.slow
def test_exact_equals_milp_at_300_trips():
    problem = OperatorProblem(SMALL, synthetic_trips(300, 6))
    exact = best_response(problem, SUBSIDY)
    milp = best_response(problem, SUBSIDY, "milp")
    assert exact.operator == pytest.approx(milp.operator, rel=1e-6)


def test_response_table_equals_the_sweep_for_any_subsidies():
    problem = OperatorProblem(SMALL, synthetic_trips(100, 3))
    table = ResponseTable(problem)
    for subsidy in [Subsidies(0.0, 0.0), Subsidies(0.1444, 0.3835), Subsidies(0.5, 0.3), Subsidies(0.25, 0.1)]:
        direct = best_response(problem, subsidy)
        fast = table.respond(subsidy)
        assert fast.operator == pytest.approx(direct.operator, rel=1e-12)
        assert fast.trips == direct.trips


@pytest.mark.parametrize("seed", [0, 6])
def test_short_candidate_lists_widen_until_no_left_out_vertex_can_be_better(seed):
    # a fleet of 3 makes the fleet-in-use limit bind: the best kept candidates are infeasible, and the first
    # feasible one is not the answer while a vertex left out of a list is worth more
    tiny_fleet = SMALL.with_overrides({"base_fleet": 3})
    trips = synthetic_trips(80, seed)
    problem = OperatorProblem(tiny_fleet, trips)
    every = exact_best_response(problem, Subsidies(0.1, 0.1), keep=10**9)
    for keep in (1, 4):
        short = exact_best_response(problem, Subsidies(0.1, 0.1), keep=keep)
        assert short.operator == pytest.approx(every.operator, rel=1e-12) and short.trips == every.trips
    assert vehicles_in_use(trips, every.chosen) <= 0.95 * every.fleet


@pytest.mark.parametrize(("base_fleet", "seed"), [(1, 0), (2, 11), (3, 7)])
def test_table_responses_equal_the_full_sweep_where_the_fleet_in_use_limit_binds(base_fleet, seed):
    params = SMALL.with_overrides({"base_fleet": base_fleet, "subsidy_fleet_response": 5.0})
    problem = OperatorProblem(params, synthetic_trips(80, seed))
    table = ResponseTable(problem)
    for first in np.linspace(0, 0.5, 5):
        for second in np.linspace(0, 0.3, 3):
            try:
                swept = best_response(problem, Subsidies(first, second))
            except DataError:
                with pytest.raises(DataError, match="no feasible price pair"):
                    table.respond(Subsidies(first, second))
                continue
            answered = table.respond(Subsidies(first, second))
            assert answered.trips == swept.trips
            assert answered.operator == pytest.approx(swept.operator, rel=1e-9)
    assert table.limited is not None  # eq. (11) removed the table's own answer somewhere
