"""Seed 003's upper level: the government's best subsidies against the operator's response, by a named method.

* ``exact`` — the regions of the subsidy plane (:mod:`~evgames.models.subsidy_pricing.regions`), against
  the operator's exact response: an exact optimum (or a supremum, and why).
* ``grid`` — every pair on a grid of subsidy rates, then a finer grid around the best, against the same
  exact response (:class:`~evgames.models.subsidy_pricing.response_table.ResponseTable`): a cross-check.
* ``pso`` — the paper's nested particle swarms (:mod:`~evgames.models.subsidy_pricing.swarm`), re-scored
  against the exact response at the subsidies found.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from tqdm.auto import tqdm

from evgames.data.subsidy_pricing import UPPER_METHODS, Subsidies
from evgames.data.validation import DataError
from evgames.models.subsidy_pricing.outcome import BilevelResult, outcome_at
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem
from evgames.models.subsidy_pricing.regions import RegionSearch
from evgames.models.subsidy_pricing.response_table import ResponseTable
from evgames.models.subsidy_pricing.swarm import INNER, OUTER, pso_bilevel
from evgames.solvers import PSOSettings

__all__ = ["METHODS", "government_optimum"]

#: Methods of :func:`government_optimum`: those against the exact response, and the nested swarms.
METHODS = (*UPPER_METHODS, "pso")


def government_optimum(
    problem: OperatorProblem,
    method: str = "exact",
    *,
    step: float = 0.01,
    refine: float = 0.001,
    progress: bool = False,
    table: ResponseTable | None = None,
    swarms: tuple[PSOSettings, PSOSettings] = (OUTER, INNER),
) -> BilevelResult:
    """Maximise U_G over the subsidy box against the operator's response (see the module docstring).

    ``step`` and ``refine`` are the grids of ``method="grid"``; ``swarms`` the (outer, inner) settings of
    ``method="pso"``. A response ``table`` built for the same trips is reused (exact and grid).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    start = time.perf_counter()
    if method == "pso":
        found = pso_bilevel(problem, *swarms)
        result = BilevelResult(found.outcome, found.response, 0.0, 0, 0.0, method="pso", exact=found.exact)
        return replace(result, wall_time=time.perf_counter() - start)
    if table is None:
        table = ResponseTable(problem)
    elif table.problem.rounded_crf != problem.rounded_crf or len(table.problem.trips) != len(problem.trips):
        raise ValueError("the response table was built for other trips or another capital recovery reading")
    else:
        table = table.for_problem(problem)  # shared when it fits, rebuilt when the choice lines differ
    if method == "exact":
        result = RegionSearch(problem, table).run(progress)
    else:
        result = _grid_optimum(problem, table, step, refine, progress)
    return replace(result, wall_time=time.perf_counter() - start)


def _grid_optimum(
    problem: OperatorProblem, table: ResponseTable, step: float, refine: float, progress: bool
) -> BilevelResult:
    """The grid upper level: every pair on a ``step`` grid, then a ``refine`` grid around the best."""
    params = problem.params
    evaluations = 0

    def score(subsidies: Subsidies) -> tuple[float, BestResponse | None]:
        nonlocal evaluations
        evaluations += 1
        try:
            response = table.respond(subsidies)
        except DataError:  # the operator cannot operate at these subsidies: not the government's option
            return -np.inf, None
        return outcome_at(problem, response, subsidies).government, response

    def search(first_values: np.ndarray, second_values: np.ndarray) -> tuple[float, Subsidies, BestResponse]:
        best: tuple[float, Subsidies, BestResponse] | None = None
        grid = [(a, b) for a in first_values for b in second_values]
        for first, second in tqdm(grid, desc="subsidies", disable=not progress):
            subsidies = Subsidies(float(first), float(second))
            value, response = score(subsidies)
            if response is not None and (best is None or value > best[0]):
                best = (value, subsidies, response)
        if best is None:
            raise DataError(
                "subsidies",
                (float(first_values[0]), float(first_values[-1]), float(second_values[0]), float(second_values[-1])),
                "at no grid point can the operator operate (eq. (11)-(12))",
            )
        return best

    def axis(low: float, high: float, spacing: float) -> np.ndarray:
        return np.linspace(low, high, round((high - low) / spacing) + 1)

    _, coarse, _ = search(axis(0, params.vehicle_subsidy_max, step), axis(0, params.infrastructure_subsidy_max, step))

    def around(centre: float, cap: float) -> np.ndarray:
        return axis(max(0.0, centre - step), min(cap, centre + step), refine)

    _, subsidies, response = search(
        around(coarse.vehicle, params.vehicle_subsidy_max),
        around(coarse.infrastructure, params.infrastructure_subsidy_max),
    )
    return BilevelResult(
        outcome=outcome_at(problem, response, subsidies),
        response=response,
        resolution=refine,
        evaluations=evaluations,
        wall_time=0.0,
        method="grid",
    )
