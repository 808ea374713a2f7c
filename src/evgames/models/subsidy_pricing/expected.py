"""Seed 003's smooth variant: waiting time and value of time integrated out, expected profit by Ipopt.

Trip n shares when tw·v < z_n with z_n = (pp + COMp − COMe) s_n − p_s s_n − p_t t_n (see
:func:`~evgames.models.subsidy_pricing.economics.choice_thresholds`). With tw ~ U(θ3, θ4) and v ~ U(θ1, θ2)
independent, as the paper states, the probability is the CDF of a product of two uniforms:

    P(tw·v < z) = [(θ2 − θ1)(u − θ3) + z ln(v/u) − θ1 (v − u)] / ((θ4 − θ3)(θ2 − θ1)),
    u = clip(z/θ2, θ3, θ4),  v = clip(z/θ1, θ3, θ4),

(the log term only where v > u). The operator's expected utility replaces each choice by its probability
and the fleet's floor by its expectation, m = m0 + ε(Sc1 + Sc2) + k3 Σ P_n — a smooth relaxation — and is
maximised over the price box by Ipopt through the project's cyipopt adapter. The start is the best point
of a coarse grid of the same function (evaluated in numpy), so the local solve starts in the right basin.
"""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo

from evgames.data.subsidy_pricing import NO_SUBSIDIES, Subsidies, SubsidyPricingParams
from evgames.models.subsidy_pricing.economics import fleet_level, fleet_size
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem
from evgames.solvers import SolverConfig
from evgames.solvers import solve as solve_model

__all__ = ["build_expected_model", "expected_best_response", "expected_operator_value", "sharing_probability"]


def sharing_probability(params: SubsidyPricingParams, margin: np.ndarray) -> np.ndarray:
    """P(tw·v < z) for the uniform waiting time and value of time of the parameters (module docstring)."""
    wait_low, wait_high = params.wait_low, params.wait_high
    value_low, value_high = params.value_of_time_low, params.value_of_time_high
    z = np.asarray(margin, dtype=float)
    u = np.clip(z / value_high, wait_low, wait_high)
    v = np.clip(z / value_low, wait_low, wait_high)
    with np.errstate(divide="ignore", invalid="ignore"):
        middle = np.where(v > u, z * np.log(v / u) - value_low * (v - u), 0.0)
    return ((value_high - value_low) * (u - wait_low) + middle) / ((wait_high - wait_low) * (value_high - value_low))


def _margins(problem: OperatorProblem, prices: np.ndarray) -> np.ndarray:
    """z_n at each row of ``prices``: (trips × points)."""
    distance, duration = problem.distance[:, None], problem.duration[:, None]
    prices = np.atleast_2d(prices)  # (points, 2)
    return problem.savings[:, None] - distance * prices[:, 0] - duration * prices[:, 1]


def expected_operator_value(
    problem: OperatorProblem, prices: np.ndarray, subsidies: Subsidies = NO_SUBSIDIES
) -> np.ndarray:
    """Expected U_O at one or many price pairs (rows of ``prices``), in numpy."""
    prices = np.atleast_2d(prices)
    probability = sharing_probability(problem.params, _margins(problem, prices))  # (trips, points)
    fleet = fleet_level(problem.params, subsidies.total, probability.sum(axis=0))
    return problem.params.days * (probability * problem.trip_revenue(prices)).sum(axis=0) + fleet * problem.margin(
        subsidies
    )


def build_expected_model(problem: OperatorProblem, subsidies: Subsidies = NO_SUBSIDIES) -> pyo.ConcreteModel:
    """The expected-utility NLP over (p_s, p_t) (see the module docstring)."""
    params = problem.params
    distance, duration, energy, savings = problem.distance, problem.duration, problem.energy, problem.savings
    wait_low, wait_high = params.wait_low, params.wait_high
    value_low, value_high = params.value_of_time_low, params.value_of_time_high
    scale = 1.0 / ((wait_high - wait_low) * (value_high - value_low))
    model = pyo.ConcreteModel(name="expected operator utility (seed 003, smooth variant)")
    model.trips = pyo.RangeSet(0, len(problem.trips) - 1)
    model.price_per_km = pyo.Var(bounds=(0, params.price_per_km_max), doc="p_s")
    model.price_per_min = pyo.Var(bounds=(0, params.price_per_min_max), doc="p_t")

    def clip(expr: pyo.Expression, low: float, high: float) -> pyo.Expression:
        return pyo.Expr_if(IF=expr <= low, THEN=low, ELSE=pyo.Expr_if(IF=expr >= high, THEN=high, ELSE=expr))

    # z, u and v are named so that each is translated once although it appears several times.
    model.margin = pyo.Expression(
        model.trips,
        rule=lambda m, n: savings[n] - distance[n] * m.price_per_km - duration[n] * m.price_per_min,
        doc="z_n: trip n shares when tw v < z_n",
    )
    model.low_wait = pyo.Expression(
        model.trips, rule=lambda m, n: clip(m.margin[n] / value_high, wait_low, wait_high), doc="u = clip(z/θ2, θ3, θ4)"
    )
    model.high_wait = pyo.Expression(
        model.trips, rule=lambda m, n: clip(m.margin[n] / value_low, wait_low, wait_high), doc="v = clip(z/θ1, θ3, θ4)"
    )

    def probability(m: pyo.ConcreteModel, n: int) -> pyo.Expression:
        z, u, v = m.margin[n], m.low_wait[n], m.high_wait[n]
        middle = pyo.Expr_if(IF=v >= u + 1e-12, THEN=z * pyo.log(v / u) - value_low * (v - u), ELSE=0.0)
        return scale * ((value_high - value_low) * (u - wait_low) + middle)

    model.probability = pyo.Expression(model.trips, rule=probability, doc="P(trip n shares)")
    expected_trips = sum(model.probability[n] for n in model.trips)
    model.expected_utility = pyo.Objective(
        expr=params.days
        * sum(
            model.probability[n] * (distance[n] * model.price_per_km + duration[n] * model.price_per_min - energy[n])
            for n in model.trips
        )
        + fleet_level(params, subsidies.total, expected_trips) * problem.margin(subsidies),
        sense=pyo.maximize,
        doc="expected U_O with the fleet's expectation",
    )
    return model


def expected_best_response(
    problem: OperatorProblem,
    subsidies: Subsidies = NO_SUBSIDIES,
    solver: str | SolverConfig | None = None,
    grid: int = 21,
) -> BestResponse:
    """Maximise the expected utility: a coarse grid picks the start, Ipopt refines it."""
    start_time = time.perf_counter()
    params = problem.params
    ps_grid = np.linspace(0, params.price_per_km_max, grid)
    pt_grid = np.linspace(0, params.price_per_min_max, grid)
    points = np.array([(ps, pt) for ps in ps_grid for pt in pt_grid])
    start = points[int(np.argmax(expected_operator_value(problem, points, subsidies)))]
    model = build_expected_model(problem, subsidies)
    model.price_per_km.set_value(float(start[0]))
    model.price_per_min.set_value(float(start[1]))
    result = solve_model(model, solver, default="ipopt")
    prices = np.array([model.price_per_km.value, model.price_per_min.value], dtype=float)
    expected_trips = float(sharing_probability(params, _margins(problem, prices)).sum())
    return BestResponse(
        price_per_km=float(prices[0]),
        price_per_min=float(prices[1]),
        operator=float(result.objective),
        trips=round(expected_trips),
        fleet=fleet_size(params, subsidies.total, expected_trips),
        supremum=False,
        method="expected",
        wall_time=time.perf_counter() - start_time,
    )
