"""The operator's best price cell of each trip count under a fleet-in-use limit (seed 003, eq. (11)).

A :class:`~evgames.models.subsidy_pricing.response_table.ResponseTable` holds, for every trip count K, the
best fare revenue R*(K) of any cell of the price plane with K sharing trips — ignoring eq. (11),
n_r(t) ≤ 0.95 m. Where that cell needs more vehicles than a fleet allows, the operator takes the best cell
with K trips that fits, which the table's responses and the upper level
(:mod:`~evgames.models.subsidy_pricing.regions`) have to know for many fleets at once.

For one count, walk its vertex cells by falling revenue and keep each that uses fewer vehicles than all
before it: a *frontier*. Under a limit ℓ the best fitting cell is the first frontier cell using at most ℓ
vehicles — every cell before it uses more — so one frontier answers every limit down to the vehicles of
its last cell. Everything is lazy: every count starts from its table cell alone; a count is walked further
(:meth:`FleetLimitedCells.settle`) only when a limit asks for it, and its cells down to a given revenue
are listed from one sweep of the arrangement for many counts at once (:meth:`FleetLimitedCells.fetch`,
:func:`~evgames.models.subsidy_pricing.shortlist.top_cells`). Until then the count's revenue under a
limit it has not reached is known only as an upper bound, and :meth:`FleetLimitedCells.best` says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from evgames.models.subsidy_pricing.arrangement import Cell, cells_trips
from evgames.models.subsidy_pricing.problem import OperatorProblem
from evgames.models.subsidy_pricing.shortlist import top_cells

__all__ = ["FleetLimitedCells"]


class FleetLimitedCells:
    """Per trip count, the best cell whose vehicles in use fit a limit — exact where settled, else a bound.

    Args:
        problem: The operator's problem.
        cells: The best cell (eq. (11) aside) of each trip count asked about, e.g. the response table's;
            results follow this order.
        smallest_limits: Per count, the smallest limit that will be asked (at the smallest fleet): a count
            whose table cell fits it earns R*(K) under every limit (:attr:`unlimited`).
        first_depth: The fewest cells a count's list may be cut to (:meth:`fetch`).
        growth: A longer list may hold this many times the cells of the last one.
    """

    #: Cells whose vehicles in use are counted in one product (memory: trips × this, in bytes).
    BATCH = 1024

    def __init__(
        self,
        problem: OperatorProblem,
        cells: Sequence[Cell],
        smallest_limits: np.ndarray,
        first_depth: int = 2048,
        growth: int = 8,
    ) -> None:
        self.problem, self.counts = problem, np.array([cell.trips for cell in cells], dtype=int)
        self.first_depth, self.growth = first_depth, growth
        self.position = {count: position for position, count in enumerate(self.counts.tolist())}
        self.fetches = 0  # sweeps of the arrangement made for longer lists
        self.walked = 0  # cells whose vehicles in use were counted
        self.cells: dict[int, list[Cell]] = {}
        self.bound: dict[int, float] = {}  # a cell not in the list is worth less (−inf: none is left out)
        self.uses: dict[int, list[int]] = {}  # vehicles in use of the walked cells, in list order
        self.frontier: dict[int, list[int]] = {}  # walked cells using fewer vehicles than all before them
        size = self.counts.size
        # frontiers as rows padded with cells that fit no limit: vehicles in use, revenue, list position
        self._uses = np.full((size, 1), np.inf)
        self._revenues, self._entries = np.zeros((size, 1)), np.full((size, 1), -1)
        self._fallback, self._walked_all = np.zeros(size), np.zeros(size, dtype=bool)
        self._settled, self._unwalked = np.zeros(size, dtype=bool), np.zeros(size, dtype=int)
        for cell in cells:
            self._reset(cell.trips, [cell])
            self.bound[cell.trips] = float(np.nextafter(cell.revenue, np.inf))  # the count's best cell
        self.settle(dict.fromkeys(self.counts.tolist(), np.inf))  # every table cell's vehicles
        #: the table cell fits every limit asked: the count earns R*(K) under each
        self.unlimited = np.array(
            [self._reached(count, limit) for count, limit in zip(self.counts.tolist(), smallest_limits)]
        )

    def _reset(self, count: int, cells: list[Cell]) -> None:
        self.cells[count], self.uses[count], self.frontier[count] = cells, [], []

    # -- queries -----------------------------------------------------------------------------------------
    def best(self, limits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per count, under its limit on vehicles in use: revenue, cell, whether exact, whether all walked.

        The cell is −1 where none is known. Once every listed cell is walked only a longer list
        (:meth:`fetch`) can tell more. Where not exact the revenue is an upper bound (a cell not walked
        or not listed yet may fit); an exact −inf means that no cell with that count fits at all.
        """
        fitting = self._uses <= np.asarray(limits, dtype=float)[:, None]
        fits, first = fitting.any(axis=1), fitting.argmax(axis=1)  # the first frontier cell within the limit
        rows = np.arange(self.counts.size)
        revenues = np.where(fits, self._revenues[rows, first], self._fallback)
        entries = np.where(fits, self._entries[rows, first], -1)
        return revenues, entries, fits | self._settled, self._walked_all

    def cell(self, count: int, entry: int) -> Cell:
        """A walked cell of the count."""
        return self.cells[count][entry]

    def vehicles(self, count: int, entry: int) -> int:
        """Vehicles in use of a walked cell."""
        return self.uses[count][entry]

    def unwalked(self) -> np.ndarray:
        """Per count, its listed cells not walked yet: only :meth:`fetch` raises this, :meth:`settle` lowers it."""
        return self._unwalked.copy()

    # -- walking and listing -----------------------------------------------------------------------------
    def settle(
        self, requests: Mapping[int, float], stops: Mapping[int, float] | None = None, once: bool = False
    ) -> None:
        """Walk each count's listed cells until its frontier reaches the limit asked (count -> limit).

        With ``stops`` (count -> revenue), a count's walk also ends before a cell worth less: a caller to
        whom the count matters only above that revenue need not walk further. With ``once``, each count
        walks one chunk (as many cells as it has walked, and 8 more), so that a caller can look again.
        """
        stops = stops or {}
        pending = list(requests)
        while pending:
            pending = [
                count
                for count in pending
                if len(self.uses[count]) < len(self.cells[count])
                and not self._reached(count, requests[count])
                and self.cells[count][len(self.uses[count])].revenue >= stops.get(count, -np.inf)
            ]
            batch: list[tuple[int, int]] = []  # (count, list position) of the cells to count vehicles for
            for count in pending:
                walked = len(self.uses[count])
                batch += [(count, position) for position in range(walked, min(len(self.cells[count]), 2 * walked + 8))]
            for start in range(0, len(batch), self.BATCH):
                part = batch[start : start + self.BATCH]
                chosen = cells_trips(self.problem, [self.cells[count][position] for count, position in part])
                for (count, position), used in zip(part, self.problem.in_use.peaks(chosen).tolist()):
                    self._record(count, position, used)
            self.walked += len(batch)
            if once:
                break
        self._update_rows(requests)

    def fetch(self, floors: Mapping[int, float]) -> None:
        """List, for each count, its cells worth at least the floor (count -> revenue), in one sweep.

        A count may get ``growth`` times as many cells as it has listed, and at least ``first_depth``; the
        cells it has walked keep their vehicles in use. Each floor must lie below the count's bound on the
        cells not listed, so that every count gets more cells or a lower bound.
        """
        assert all(floor < self.bound[count] for count, floor in floors.items()), "a floor at or above a bound"
        self.fetches += 1
        depths = {count: max(self.first_depth, self.growth * len(self.cells[count])) for count in floors}
        for count, (cells, bound) in top_cells(self.problem, floors, depths).items():
            old, uses = self.cells[count], self.uses[count]
            same = 0
            while same < min(len(uses), len(cells)) and old[same].same_as(cells[same]):
                same += 1
            self._reset(count, cells)
            for position in range(same):
                self._record(count, position, uses[position])
            self.bound[count] = bound
        self._update_rows(floors)

    def _record(self, count: int, position: int, used: int) -> None:
        """The vehicles in use of the next listed cell; the frontier keeps it if it uses fewer than all before."""
        self.uses[count].append(used)
        frontier = self.frontier[count]
        if not frontier or used < self.uses[count][frontier[-1]]:
            frontier.append(position)

    def _reached(self, count: int, limit: float) -> bool:
        frontier = self.frontier[count]
        return bool(frontier) and self.uses[count][frontier[-1]] <= limit

    def _update_rows(self, changed: Iterable[int]) -> None:
        """The changed counts' frontiers into the rows :meth:`best` reads, and their values past them."""
        for count in changed:
            position = self.position[count]
            frontier, cells, uses = self.frontier[count], self.cells[count], self.uses[count]
            if len(frontier) > self._uses.shape[1]:
                extra = max(len(frontier), 2 * self._uses.shape[1]) - self._uses.shape[1]
                self._uses = np.pad(self._uses, ((0, 0), (0, extra)), constant_values=np.inf)
                self._revenues = np.pad(self._revenues, ((0, 0), (0, extra)))
                self._entries = np.pad(self._entries, ((0, 0), (0, extra)), constant_values=-1)
            self._uses[position] = np.inf
            self._uses[position, : len(frontier)] = [uses[entry] for entry in frontier]
            self._revenues[position, : len(frontier)] = [cells[entry].revenue for entry in frontier]
            self._entries[position, : len(frontier)] = frontier
            walked = len(uses)
            # past the frontier: the next cell not walked, else the bound on cells not listed
            self._fallback[position] = cells[walked].revenue if walked < len(cells) else self.bound[count]
            self._unwalked[position] = len(cells) - walked
            self._walked_all[position] = walked == len(cells)
            self._settled[position] = walked == len(cells) and self.bound[count] == -np.inf
