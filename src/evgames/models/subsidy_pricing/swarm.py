"""Seed 003's own method: a nested particle swarm, always re-scored against the exact best response.

The paper (§4.2) searches subsidies and prices with an "improved PSO": inertia decreasing linearly and
asynchronous learning factors — the ``time-varying`` schedule of :mod:`evgames.solvers.pso`. Here an
outer swarm over (Sc1, Sc2) maximises U_G; for every outer particle an inner swarm over (p_s, p_t)
maximises U_O, with the fleet-in-use limit and U_O > 0 as constraints (ε-constrained handling). Both
swarms are seeded, so a run is reproducible.

A swarm proves nothing, so every answer is re-scored: at the subsidies it found, the operator's exact
best response (:mod:`~evgames.models.subsidy_pricing.response_table`) is computed and the gap between the two U_O
values reported — it can never be negative. How each swarm stopped (``converged``, ``iteration_limit``,
``time_limit`` or ``no_feasible_point``, :func:`evgames.solvers.pso.pso_status`) is reported beside it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from evgames.data.subsidy_pricing import NO_SUBSIDIES, Subsidies
from evgames.models.subsidy_pricing.economics import in_use_limit
from evgames.models.subsidy_pricing.outcome import Outcome, outcome_at
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem
from evgames.models.subsidy_pricing.response_table import ResponseTable
from evgames.solvers import PSOSettings, pso_minimise
from evgames.solvers.pso import pso_status

__all__ = ["INNER", "OUTER", "PSOResult", "inner_swarm", "pso_bilevel", "pso_operator_response"]

#: Default swarms: modest, because the inner swarm runs once per outer particle and iteration.
INNER = PSOSettings(swarm_size=20, iterations=60, stall_iterations=20, seed=0)
OUTER = PSOSettings(swarm_size=8, iterations=15, stall_iterations=6, seed=1)


def pso_operator_response(
    problem: OperatorProblem, subsidies: Subsidies = NO_SUBSIDIES, settings: PSOSettings = INNER
) -> BestResponse:
    """The inner swarm: prices maximising U_O at given subsidies (a heuristic; see the module docstring)."""
    return inner_swarm(problem, subsidies, settings)[0]


def inner_swarm(
    problem: OperatorProblem, subsidies: Subsidies = NO_SUBSIDIES, settings: PSOSettings = INNER
) -> tuple[BestResponse, str]:
    """:func:`pso_operator_response` and how its swarm stopped (a :class:`~evgames.solvers.Status` value)."""
    start = time.perf_counter()
    params, margin = problem.params, problem.margin(subsidies)

    def fitness(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        chosen = problem.shares(points)  # (trips, particles)
        revenue = params.days * (problem.trip_revenue(points) * chosen).sum(axis=0)
        fleet = problem.fleet(subsidies, chosen.sum(axis=0))
        value = revenue + fleet * margin
        in_use = problem.in_use.peaks(chosen)
        violation = np.maximum(in_use - in_use_limit(params, fleet), 0.0) + np.maximum(-value, 0.0) / 1e6
        return -value, violation

    upper = np.array([params.price_per_km_max, params.price_per_min_max])
    found = pso_minimise(fitness, np.zeros(2), upper, settings)
    chosen = problem.shares(found.x)
    response = BestResponse(
        price_per_km=float(found.x[0]),
        price_per_min=float(found.x[1]),
        operator=-found.objective,
        trips=int(chosen.sum()),
        fleet=int(problem.fleet(subsidies, int(chosen.sum()))),
        supremum=False,
        method="pso",
        wall_time=time.perf_counter() - start,
        chosen=chosen,
    )
    return response, pso_status(found, settings)[0].value


@dataclass(frozen=True)
class PSOResult:
    """The swarm's answer and its re-scoring against the exact best response at the same subsidies.

    Attributes:
        outcome: Every figure at the swarm's subsidies and prices.
        response: The inner swarm's prices at those subsidies.
        exact: The operator's exact best response at those subsidies.
        operator_gap: exact U_O − swarm U_O (≥ 0; how far the swarm's prices are from a best response).
        wall_time: Seconds.
        inner_status: How the inner swarm at the returned subsidies stopped.
        outer_status: How the outer swarm stopped (``None`` at fixed subsidies, where none runs).
    """

    outcome: Outcome
    response: BestResponse
    exact: BestResponse
    operator_gap: float
    wall_time: float
    inner_status: str
    outer_status: str | None = None


def pso_bilevel(
    problem: OperatorProblem,
    outer: PSOSettings = OUTER,
    inner: PSOSettings = INNER,
    fixed_subsidy: Subsidies | None = None,
    progress: bool = False,
) -> PSOResult:
    """Nested swarms (or the inner one alone at ``fixed_subsidy``), re-scored exactly.

    ``progress`` shows a bar on stderr over the outer swarm's particles, each of which runs a whole inner
    swarm (the slow part: ``outer.swarm_size`` x (``outer.iterations`` + 1) inner swarms at most).
    """
    start = time.perf_counter()
    if fixed_subsidy is None:
        # the outer swarm evaluates its initial positions, then once per iteration until it stalls
        bar = tqdm(
            total=outer.swarm_size * (outer.iterations + 1), desc="outer swarm", unit="particle", disable=not progress
        )

        def government(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            values = []
            for first, second in points:
                subsidies = Subsidies(first, second)
                response = pso_operator_response(problem, subsidies, inner)
                values.append(outcome_at(problem, response, subsidies).government)
                bar.update(1)
            return -np.array(values), np.zeros(len(values))

        upper = np.array([problem.params.vehicle_subsidy_max, problem.params.infrastructure_subsidy_max])
        try:
            searched = pso_minimise(government, np.zeros(2), upper, outer)
            subsidies = Subsidies(*(float(v) for v in searched.x))
            outer_status: str | None = pso_status(searched, outer)[0].value
            bar.total = bar.n  # a swarm that stalls stops early: show the bar complete, not abandoned
        finally:
            bar.close()
    else:
        subsidies, outer_status = fixed_subsidy, None
    response, inner_status = inner_swarm(problem, subsidies, inner)
    outcome = outcome_at(problem, response, subsidies)
    exact = ResponseTable(problem).respond(subsidies)
    return PSOResult(
        outcome=outcome,
        response=response,
        exact=exact,
        operator_gap=exact.operator - outcome.operator,
        wall_time=time.perf_counter() - start,
        inner_status=inner_status,
        outer_status=outer_status,
    )
