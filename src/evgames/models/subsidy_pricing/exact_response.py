"""The operator's exact best response to given subsidies by a widening search over vertex candidates.

One sweep of the arrangement (:func:`~evgames.models.subsidy_pricing.arrangement.line_vertices`) keeps, for
every choice line, its ``keep`` best vertex values of U_O (eq. (10)); the kept candidates are checked in
order, best first, against the fleet-in-use limit n_r(t) ≤ 0.95 m (eq. (11)) and U_O > 0 (eq. (12)). If
none passes before the values fall below the best vertex left out of a list, the lists are widened
fourfold and the sweep repeated, up to every vertex, so the answer stays exact when those constraints
bind. The optimum is a supremum when its cell counts a trip on its own choice line (see
:mod:`~evgames.models.subsidy_pricing.arrangement`).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from evgames.data.subsidy_pricing import NO_SUBSIDIES, Subsidies
from evgames.models.subsidy_pricing.arrangement import box_corners, line_vertices, vertex_response
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem, no_feasible_prices

__all__ = ["Sweep", "exact_best_response"]


class Sweep(NamedTuple):
    """One sweep's answer.

    The best feasible response (None if none was found), the candidates checked, and whether the lists held
    every vertex (nothing was left out, so that None means that nothing is feasible).
    """

    found: BestResponse | None
    checked: int
    exhaustive: bool


def exact_best_response(problem: OperatorProblem, subsidies: Subsidies = NO_SUBSIDIES, keep: int = 4) -> BestResponse:
    """The supremum of U_O over the price box at the subsidies (see the module docstring)."""
    start_time = time.perf_counter()
    checked_total = 0
    while True:
        sweep = _sweep(problem, subsidies, keep)
        checked_total += sweep.checked
        if sweep.found is not None:
            return replace(sweep.found, wall_time=time.perf_counter() - start_time, candidates_checked=checked_total)
        if sweep.exhaustive:
            raise no_feasible_prices(subsidies)
        keep *= 4


def _sweep(problem: OperatorProblem, subsidies: Subsidies, keep: int) -> Sweep:
    """One sweep keeping ``keep`` vertex candidates per line."""
    exhaustive = True
    unkept = -np.inf  # no vertex left out of the lists is worth more than this
    candidates: list[tuple[float, np.ndarray, tuple[int, ...]]] = []  # value, point, boundary trips counted
    for vertices in line_vertices(problem):
        for cell in vertices.ends:
            candidates.append(
                (cell.revenue + float(problem.fleet_value(subsidies, cell.trips)), cell.point, cell.counted)
            )
        if vertices.values.shape[1]:
            totals = vertices.values + problem.fleet_value(subsidies, vertices.counts)
            exhaustive = exhaustive and keep >= totals.size
            order = np.argsort(totals, axis=None)
            if totals.size > keep:
                unkept = max(unkept, float(totals.flat[order[-keep - 1]]))
            for flat in order[-keep:]:
                option, event = divmod(int(flat), totals.shape[1])
                candidates.append(
                    (float(totals[option, event]), vertices.points[event], vertices.counted(option, event))
                )
    for cell in box_corners(problem):
        candidates.append((cell.revenue + float(problem.fleet_value(subsidies, cell.trips)), cell.point, cell.counted))
    candidates.sort(key=lambda item: item[0], reverse=True)
    if candidates[0][0] <= 0:  # the best of all cells, eq. (11) aside, cannot break even: nothing can
        return Sweep(None, 1, True)
    for checked, (total, point, counted) in enumerate(candidates, start=1):
        if total < unkept:  # a vertex left out may be better and feasible: widen the lists
            return Sweep(None, checked, False)
        found = vertex_response(problem, point, counted, subsidies)
        if found is not None:
            return Sweep(found, checked, exhaustive)
    return Sweep(None, len(candidates), exhaustive)
