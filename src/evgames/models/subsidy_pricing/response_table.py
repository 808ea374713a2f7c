"""The operator's exact best response to *any* subsidies from one sweep of the arrangement (seed 003).

Subsidies change only the fleet term m(K)·w of eq. (10), w = k1 + ρ − c, a function of the trip count K.
One sweep (:func:`~evgames.models.subsidy_pricing.arrangement.line_vertices`) records, for every K, the
best revenue part R*(K) = D Σ (a·p − e) of any cell with K trips and where it is; the response to
(Sc1, Sc2) is then the best K of R*(K) + m(K)·w, an O(N) maximisation. The winner is checked against
eq. (11)–(12); if it breaks the fleet-in-use limit, each count's best cell within its limit decides
(:class:`~evgames.models.subsidy_pricing.fleet_limit.FleetLimitedCells`, best first over the counts), so
the answer is always exact.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from evgames.data.subsidy_pricing import NO_SUBSIDIES, Subsidies, SubsidyPricingParams
from evgames.data.validation import DataError
from evgames.models.subsidy_pricing.arrangement import (
    Cell,
    box_corners,
    cell_trips,
    cells_trips,
    line_vertices,
    vertex_response,
)
from evgames.models.subsidy_pricing.economics import fleet_size, in_use_limit
from evgames.models.subsidy_pricing.fleet_limit import FleetLimitedCells
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem, no_feasible_prices

__all__ = ["ResponseTable"]


class ResponseTable:
    """R*(K) of every trip count K and its cell, and the operator's response to any subsidies.

    Attributes:
        problem: The operator's problem.
        best: R*(K) by K (−inf where no cell has K trips).
        points, counted: The vertex and the boundary trips counted of each count's best cell.
        limited: Each count's best cells under fleet-in-use limits, built when eq. (11) first removes a
            table cell from a response.
    """

    #: Parameters that shape the arrangement of choice lines and the fares: the table depends on these only.
    ARRANGEMENT = (
        "private_cost_per_km",
        "comfort_private",
        "comfort_sharing",
        "ev_energy_per_100km",
        "electricity_price",
        "days",
        "price_per_km_max",
        "price_per_min_max",
    )

    def __init__(self, problem: OperatorProblem) -> None:
        self.problem = problem
        size = len(problem.trips) + 3
        self.best = np.full(size, -np.inf)
        self.points = np.zeros((size, 2))
        self.counted: list[tuple[int, ...]] = [()] * size

        def record(cell: Cell) -> None:
            if cell.revenue > self.best[cell.trips]:
                self.best[cell.trips], self.points[cell.trips] = cell.revenue, cell.point
                self.counted[cell.trips] = cell.counted

        for vertices in line_vertices(problem):
            for cell in vertices.ends:
                record(cell)
            if not vertices.values.shape[1]:
                continue
            flat_values, flat_counts = vertices.values.ravel(), vertices.counts.ravel()
            # only cells beating their count's best so far can enter: few, once the first lines are swept
            better = np.flatnonzero(flat_values > self.best[flat_counts])
            order = better[np.lexsort((-flat_values[better], flat_counts[better]))]  # stable: first of equals
            first = np.r_[True, flat_counts[order][1:] != flat_counts[order][:-1]][: order.size]
            for index in order[first]:
                record(vertices.cell(*divmod(int(index), vertices.values.shape[1])))
        for cell in box_corners(problem):
            record(cell)
        self.limited: FleetLimitedCells | None = None
        self._vehicles: tuple[np.ndarray, np.ndarray] | None = None

    def for_problem(self, problem: OperatorProblem) -> ResponseTable:
        """The table of another problem on the same trips: shared when only fleet and cost parameters differ."""
        if any(getattr(problem.params, name) != getattr(self.problem.params, name) for name in self.ARRANGEMENT):
            return ResponseTable(problem)
        table = copy.copy(self)
        table.problem, table.limited = problem, None
        return table

    def with_params(self, params: SubsidyPricingParams) -> ResponseTable:
        """The table for other parameters (see :meth:`for_problem`)."""
        return self.for_problem(self.problem.with_params(params))

    def best_cell(self, count: int) -> Cell:
        """The best cell with ``count`` trips, eq. (11) aside."""
        return Cell(float(self.best[count]), count, self.points[count], self.counted[count])

    def cells(self, counts: Iterable[int]) -> list[Cell]:
        """:meth:`best_cell` of each count."""
        return [self.best_cell(int(count)) for count in counts]

    def vehicles(self) -> tuple[np.ndarray, np.ndarray]:
        """Vehicles in use (eq. (11)) of the best cell of each count that has one, and the minute they peak.

        Counted once and kept: tables shared by :meth:`for_problem` share them, as their cells and trips.
        """
        if self._vehicles is None:
            cells = self.cells(np.flatnonzero(np.isfinite(self.best)))
            self._vehicles = self.problem.in_use.peaks_and_minutes(cells_trips(self.problem, cells))
        return self._vehicles

    def chosen(self, count: int, cell: Cell | None = None) -> np.ndarray:
        """The sharing trips of the best cell with ``count`` trips (or of the given cell)."""
        cell = self.best_cell(count) if cell is None else cell
        return cell_trips(self.problem, cell.point, cell.counted)

    def respond(self, subsidies: Subsidies = NO_SUBSIDIES) -> BestResponse:
        """The operator's exact best response to the subsidies (see the module docstring)."""
        start_time = time.perf_counter()
        counts = np.arange(self.best.size)
        totals = self.best + self.problem.fleet_value(subsidies, counts)
        count = int(np.argmax(totals))
        if totals[count] <= 0:  # the best of all cells, eq. (11) aside, cannot break even: nothing can
            raise DataError(
                "subsidies",
                tuple(subsidies),
                f"no price pair gives U_O > 0 (eq. (12)): the best is {totals[count]:.6g}",
            )
        response = vertex_response(self.problem, self.points[count], self.counted[count], subsidies)
        if response is None:  # eq. (11) removes the cell: the best within every count's limit decides
            response = self._within_limits(subsidies)
        return replace(response, wall_time=time.perf_counter() - start_time)

    def _within_limits(self, subsidies: Subsidies) -> BestResponse:
        """The exact best response under eq. (11), best first over the trip counts.

        Each count is valued by its best cell within the fleet's limit, or by an upper bound until known
        (:class:`FleetLimitedCells`, kept on the table for later calls). The count with the highest value
        R(K) + m(K)·w is settled — walked, or listed further — until the highest is exact: no bound can
        beat it. Ties go to fewer trips, as in the table.
        """
        problem, params = self.problem, self.problem.params
        if self.limited is None:  # the smallest fleets are those without subsidies
            counts = np.flatnonzero(np.isfinite(self.best))
            smallest = in_use_limit(params, fleet_size(params, 0.0, counts))
            self.limited = FleetLimitedCells(problem, self.cells(counts), smallest, vehicles=self.vehicles())
        limited: FleetLimitedCells = self.limited
        fleets = problem.fleet(subsidies, limited.counts).astype(float)
        limits, fleet_values = in_use_limit(params, fleets), fleets * problem.margin(subsidies)
        while True:
            values, entries, exact, walked_all = limited.best(limits)
            totals = values + fleet_values
            best = int(np.argmax(totals))  # the first of equals: the fewest trips
            count = int(limited.counts[best])
            if not totals[best] > 0:  # upper bounds all: nothing breaks even (eq. (12))
                raise no_feasible_prices(subsidies)
            if exact[best]:
                cell = limited.cell(count, int(entries[best]))
                response = vertex_response(problem, cell.point, cell.counted, subsidies)
                assert response is not None, "a cell within its fleet's limit failed eq. (11)-(12)"
                return response
            if not walked_all[best]:
                limited.settle({count: float(limits[best])}, once=True)
                continue
            known = totals[exact]  # the answer is worth at least the best count known exactly, and more than 0
            needed = max(float(known.max()) if known.size else 0.0, 0.0) - float(fleet_values[best])
            # twice as deep as this call needs: other subsidies tend to ask a little deeper each time
            limited.fetch({count: needed - (float(values[best]) - needed) - 1e-9 * max(1.0, abs(needed))})
