import pytest
from strategies import small_operator

from evgames.data.subsidy_pricing import synthetic_trips
from evgames.models.subsidy_pricing import OperatorProblem, Subsidies, best_response, pso_bilevel
from evgames.solvers import PSOSettings

SMALL = small_operator()


def test_swarm_never_beats_the_exact_response_and_comes_close():
    problem = OperatorProblem(SMALL, synthetic_trips(100, 3))
    found = pso_bilevel(problem, fixed_subsidy=Subsidies(0.1444, 0.3835))
    exact = best_response(problem, Subsidies(0.1444, 0.3835))
    assert found.exact.operator == pytest.approx(exact.operator)
    assert found.operator_gap >= -1e-6  # the exact response is a supremum over every price pair
    assert found.outcome.operator >= 0.99 * exact.operator  # measured: within 0.02 CNY here


def test_nested_swarm_is_seeded_and_rescored():
    problem = OperatorProblem(SMALL, synthetic_trips(60, 2))
    tiny_outer = PSOSettings(swarm_size=3, iterations=3, stall_iterations=2, seed=5)
    tiny_inner = PSOSettings(swarm_size=8, iterations=15, stall_iterations=8, seed=0)
    first = pso_bilevel(problem, outer=tiny_outer, inner=tiny_inner)
    again = pso_bilevel(problem, outer=tiny_outer, inner=tiny_inner)
    assert first.outcome == again.outcome
    assert first.operator_gap >= -1e-6


def test_each_swarm_says_how_it_stopped():
    problem = OperatorProblem(SMALL, synthetic_trips(60, 2))
    # one iteration and a stall window longer than the run: both swarms can only stop at the iteration limit
    capped = PSOSettings(swarm_size=4, iterations=1, stall_iterations=50, seed=0)
    found = pso_bilevel(problem, outer=capped, inner=capped)
    assert (found.outer_status, found.inner_status) == ("iteration_limit", "iteration_limit")
    # a stall window of 2 within 200 iterations: the inner swarm stops because it converged; no outer swarm runs
    settled = PSOSettings(swarm_size=8, iterations=200, stall_iterations=2, seed=0)
    fixed = pso_bilevel(problem, inner=settled, fixed_subsidy=Subsidies(0.1, 0.2))
    assert (fixed.outer_status, fixed.inner_status) == (None, "converged")
