"""The operator's best response as a MILP (seed 003's lower level, ``method="milp"``): the exact method's oracle.

The same problem as the arrangement sweep (:mod:`~evgames.models.subsidy_pricing.arrangement`), stated
algebraically for HiGHS: binary choices x_n with big-M rows in both directions (eq. (2)–(6)), McCormick
products of price and choice, an integer fleet between the two sides of the floor of eq. (17), the
fleet-in-use rows of eq. (11) at every trip's start minute and U_O > 0 (eq. (12)). The strict inequality
of a sharing choice becomes a margin of 1e-7 CNY. It scales to a few hundred trips.
"""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo

from evgames.data.subsidy_pricing import NO_SUBSIDIES, Subsidies
from evgames.models.subsidy_pricing.economics import fleet_level, in_use_limit
from evgames.models.subsidy_pricing.in_use import MINUTES, occupied_minutes
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem
from evgames.solvers import SolverConfig
from evgames.solvers import solve as solve_model

__all__ = ["MARGIN", "build_operator_milp", "milp_best_response"]

#: Strict sharing choice a·p < b as a·p ≤ b − MARGIN in the MILP (CNY).
MARGIN = 1e-7


def build_operator_milp(problem: OperatorProblem, subsidies: Subsidies = NO_SUBSIDIES) -> pyo.ConcreteModel:
    """The operator's problem at the subsidies as a Pyomo MILP (see the module docstring)."""
    params = problem.params
    count = len(problem.threshold)
    ps_max, pt_max = params.price_per_km_max, params.price_per_min_max
    start, length = occupied_minutes(problem.trips)
    model = pyo.ConcreteModel(name="operator best response (seed 003 lower level)")
    model.trips = pyo.RangeSet(0, count - 1)
    model.price_per_km = pyo.Var(bounds=(0, ps_max), doc="p_s")
    model.price_per_min = pyo.Var(bounds=(0, pt_max), doc="p_t")
    model.shared = pyo.Var(model.trips, domain=pyo.Binary, doc="x_n1: trip n takes a shared EV")
    model.km_revenue = pyo.Var(model.trips, bounds=(0, ps_max), doc="p_s x_n (McCormick)")
    model.min_revenue = pyo.Var(model.trips, bounds=(0, pt_max), doc="p_t x_n (McCormick)")
    model.fleet = pyo.Var(domain=pyo.NonNegativeIntegers, doc="m")
    s, t, b = problem.distance, problem.duration, problem.threshold
    big_share = s * ps_max + t * pt_max - b + MARGIN
    model.shares_below_threshold = pyo.Constraint(
        model.trips,
        rule=lambda m, n: (
            s[n] * m.price_per_km + t[n] * m.price_per_min - b[n]
            <= big_share[n] * (1 - m.shared[n]) - MARGIN * m.shared[n]
        ),
        doc="x = 1 => a.p <= b - margin",
    )
    model.private_at_or_above = pyo.Constraint(
        model.trips,
        rule=lambda m, n: s[n] * m.price_per_km + t[n] * m.price_per_min - b[n] >= -np.maximum(b[n], 0.0) * m.shared[n],
        doc="x = 0 => a.p >= b (ties take the private car)",
    )
    twins = problem.twins
    copies = [] if twins is None else [n for n in range(count) if twins[n] != n]
    model.twins_together = pyo.Constraint(
        copies,
        rule=lambda m, n: m.shared[n] == m.shared[int(twins[n])],
        doc="trips on one choice line share or not together (within the margin no solver tells them apart)",
    )
    model.km_upper_choice = pyo.Constraint(model.trips, rule=lambda m, n: m.km_revenue[n] <= ps_max * m.shared[n])
    model.km_upper_price = pyo.Constraint(model.trips, rule=lambda m, n: m.km_revenue[n] <= m.price_per_km)
    model.km_lower = pyo.Constraint(
        model.trips, rule=lambda m, n: m.km_revenue[n] >= m.price_per_km - ps_max * (1 - m.shared[n])
    )
    model.min_upper_choice = pyo.Constraint(model.trips, rule=lambda m, n: m.min_revenue[n] <= pt_max * m.shared[n])
    model.min_upper_price = pyo.Constraint(model.trips, rule=lambda m, n: m.min_revenue[n] <= m.price_per_min)
    model.min_lower = pyo.Constraint(
        model.trips, rule=lambda m, n: m.min_revenue[n] >= m.price_per_min - pt_max * (1 - m.shared[n])
    )
    level = fleet_level(params, subsidies.total, sum(model.shared[n] for n in model.trips))
    model.fleet_floor_upper = pyo.Constraint(expr=model.fleet <= level, doc="m <= m0 + eps sigma + k3 sum x")
    model.fleet_floor_lower = pyo.Constraint(expr=model.fleet >= level - 1 + 1e-6, doc="m > level - 1 (eq. 17)")

    def active(minute: int) -> list[int]:
        return [k for k in range(count) if (minute - start[k]) % MINUTES < length[k]]

    minutes = sorted(set(start.tolist()))  # occupancy peaks at some trip's start
    model.in_use = pyo.Constraint(
        minutes,
        rule=lambda m, minute: sum(m.shared[k] for k in active(minute)) <= in_use_limit(params, m.fleet),
        doc="n_r(t) <= 0.95 m",
    )
    utility = (
        params.days
        * sum(
            s[n] * model.km_revenue[n] + t[n] * model.min_revenue[n] - problem.energy[n] * model.shared[n]
            for n in model.trips
        )
        + problem.margin(subsidies) * model.fleet
    )
    model.profitable = pyo.Constraint(expr=utility >= 1e-6, doc="U_O > 0 (eq. 12)")
    model.operator = pyo.Objective(expr=utility, sense=pyo.maximize, doc="U_O (eq. 10) at fixed subsidies")
    return model


def milp_best_response(
    problem: OperatorProblem, subsidies: Subsidies = NO_SUBSIDIES, solver: str | SolverConfig | None = None
) -> BestResponse:
    """Solve :func:`build_operator_milp` (HiGHS unless configured) and report like the exact method."""
    start_time = time.perf_counter()
    model = build_operator_milp(problem, subsidies)
    options = {"mip_rel_gap": 1e-9} if solver is None else None
    result = solve_model(model, solver, options, default="highs")
    chosen = np.array([model.shared[n].value > 0.5 for n in model.trips])
    return BestResponse(
        price_per_km=float(model.price_per_km.value),
        price_per_min=float(model.price_per_min.value),
        operator=float(result.objective),
        trips=int(chosen.sum()),
        fleet=round(model.fleet.value),
        supremum=False,
        method="milp",
        wall_time=time.perf_counter() - start_time,
        chosen=chosen,
    )
