"""Seed 003's own method: a nested particle swarm, always re-scored against the exact best response.

The paper (§4.2) searches subsidies and prices with an "improved PSO": inertia decreasing linearly and
asynchronous learning factors — the ``time-varying`` schedule of :mod:`evgames.solvers.pso`. Here an
outer swarm over (Sc1, Sc2) maximises U_G; for every outer particle an inner swarm over (p_s, p_t)
maximises U_O, with the fleet-in-use limit and U_O > 0 as constraints (ε-constrained handling). Both
swarms are seeded, so a run is reproducible.

A swarm proves nothing, so every answer is re-scored: at the subsidies it found, the operator's exact
best response (:mod:`evgames.models.operator_response`) is computed and the gap between the two U_O
values reported — it can never be negative.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from evgames.data.subsidy_pricing import SubsidyPricingParams
from evgames.models.bilevel import outcome_at
from evgames.models.operator_response import BestResponse, ResponseTable, _fleet, _terms
from evgames.models.subsidy_pricing import InUse, Outcome
from evgames.solvers import PSOSettings, pso_minimise

__all__ = ["PSOResult", "pso_bilevel", "pso_operator_response"]

#: Default swarms: modest, because the inner swarm runs once per outer particle and iteration.
INNER = PSOSettings(swarm_size=20, iterations=60, stall_iterations=20, seed=0)
OUTER = PSOSettings(swarm_size=8, iterations=15, stall_iterations=6, seed=1)


def pso_operator_response(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    vehicle_subsidy: float = 0.0,
    infrastructure_subsidy: float = 0.0,
    rounded_crf: bool = False,
    settings: PSOSettings = INNER,
) -> BestResponse:
    """The inner swarm: prices maximising U_O at given subsidies (a heuristic; see the module docstring)."""
    start = time.perf_counter()
    terms = _terms(params, trips, vehicle_subsidy, infrastructure_subsidy, rounded_crf)
    a = np.column_stack([terms.distance, terms.duration])
    in_use_of = InUse(trips)

    def fitness(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        chosen = (a @ points.T) < terms.threshold[:, None]  # (trips, particles)
        revenue = params.days * ((a @ points.T - terms.energy[:, None]) * chosen).sum(axis=0)
        fleet = _fleet(terms, params, chosen.sum(axis=0))
        value = revenue + fleet * terms.per_vehicle
        in_use = in_use_of.peaks(chosen)
        violation = np.maximum(in_use - params.in_use_share * fleet, 0.0) + np.maximum(-value, 0.0) / 1e6
        return -value, violation

    upper = np.array([params.price_per_km_max, params.price_per_min_max])
    found = pso_minimise(fitness, np.zeros(2), upper, settings)
    chosen = a @ found.x < terms.threshold
    return BestResponse(
        price_per_km=float(found.x[0]),
        price_per_min=float(found.x[1]),
        operator=-found.objective,
        trips=int(chosen.sum()),
        fleet=int(_fleet(terms, params, int(chosen.sum()))),
        supremum=False,
        method="pso",
        wall_time=time.perf_counter() - start,
        chosen=chosen,
    )


@dataclass(frozen=True)
class PSOResult:
    """The swarm's answer and its re-scoring against the exact best response at the same subsidies.

    Attributes:
        outcome: Every figure at the swarm's subsidies and prices.
        exact: The operator's exact best response at those subsidies.
        operator_gap: exact U_O − swarm U_O (≥ 0; how far the swarm's prices are from a best response).
    """

    outcome: Outcome
    exact: BestResponse
    operator_gap: float
    wall_time: float


def pso_bilevel(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    rounded_crf: bool = False,
    outer: PSOSettings = OUTER,
    inner: PSOSettings = INNER,
    fixed_subsidy: tuple[float, float] | None = None,
) -> PSOResult:
    """Nested swarms (or the inner one alone at ``fixed_subsidy``), re-scored exactly."""
    start = time.perf_counter()
    if fixed_subsidy is None:

        def government(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            values = []
            for first, second in points:
                response = pso_operator_response(params, trips, first, second, rounded_crf, inner)
                values.append(outcome_at(params, trips, response, first, second, rounded_crf).government)
            return -np.array(values), np.zeros(len(values))

        upper = np.array([params.vehicle_subsidy_max, params.infrastructure_subsidy_max])
        first, second = (float(v) for v in pso_minimise(government, np.zeros(2), upper, outer).x)
    else:
        first, second = fixed_subsidy
    response = pso_operator_response(params, trips, first, second, rounded_crf, replace(inner, seed=inner.seed))
    outcome = outcome_at(params, trips, response, first, second, rounded_crf)
    exact = ResponseTable(params, trips, rounded_crf).respond(first, second)
    return PSOResult(
        outcome=outcome,
        exact=exact,
        operator_gap=exact.operator - outcome.operator,
        wall_time=time.perf_counter() - start,
    )
