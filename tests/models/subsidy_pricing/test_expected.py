import numpy as np
import pytest
from strategies import small_operator

from evgames.data.subsidy_pricing import synthetic_trips
from evgames.models.subsidy_pricing import OperatorProblem, Subsidies, best_response
from evgames.models.subsidy_pricing import expected as se

SMALL = small_operator()


def test_sharing_probability_matches_monte_carlo():
    rng = np.random.default_rng(0)
    product = rng.uniform(5, 15, 400_000) * rng.uniform(1 / 6, 5 / 6, 400_000)
    margins = np.array([-1.0, 1.0, 2.0, 4.0, 8.0, 10.0, 12.5, 20.0])
    assert se.sharing_probability(SMALL, margins) == pytest.approx([(product < z).mean() for z in margins], abs=3e-3)


def test_ipopt_optimum_beats_a_dense_grid_and_matches_the_numpy_function():
    problem, subsidies = OperatorProblem(SMALL, synthetic_trips(150, 0)), Subsidies(0.1444, 0.3835)
    found = best_response(problem, subsidies, "expected")
    at_optimum = se.expected_operator_value(problem, np.array([found.price_per_km, found.price_per_min]), subsidies)[0]
    assert found.operator == pytest.approx(at_optimum, rel=1e-12)  # the Pyomo model is the numpy formula
    grid = np.array([(a, b) for a in np.linspace(0, 5, 101) for b in np.linspace(0, 0.4, 81)])
    assert found.operator >= se.expected_operator_value(problem, grid, subsidies).max() - 1e-6
