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

Where the limit binds hard, a count's cells are walked past by the thousand, each needing more vehicles
than the limit asked. A cell is first given a lower bound on its vehicles in use — its trips under way at a
few busy minutes (:class:`~evgames.models.subsidy_pricing.in_use_bound.BusyMinutes`), found for almost
nothing along its choice line when it is listed, else at its vertex — and counted exactly only if that
bound fits the limit asked. The frontier is kept over the
figures recorded, bounds or exact, and a limit's answer is the first frontier cell within it: every cell
before it is recorded above the limit, so truly needs more. Where that first cell holds only a bound, it
is counted exactly (:meth:`FleetLimitedCells.settle` does so before walking further) and the frontier
looks again, so every answer is exact. The lists are numpy columns
(:class:`~evgames.models.subsidy_pricing.cell_columns.CellColumns`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from evgames.models.subsidy_pricing.arrangement import Cell, vertex_trips
from evgames.models.subsidy_pricing.cell_columns import CellColumns
from evgames.models.subsidy_pricing.in_use_bound import BusyMinutes
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
        vehicles: The vehicles in use of each of ``cells`` and the first minute they are reached, if known
            (:meth:`~evgames.models.subsidy_pricing.response_table.ResponseTable.vehicles`); else counted here.
    """

    #: Cells whose vehicles in use are bounded or counted in one product (memory: trips × this, in bytes).
    BATCH = 1024
    #: Cells counted exactly at first where a count's first frontier cell within its limit holds a bound only.
    FIRST_RECOUNT = 16

    def __init__(
        self,
        problem: OperatorProblem,
        cells: Sequence[Cell],
        smallest_limits: np.ndarray,
        first_depth: int = 2048,
        growth: int = 8,
        vehicles: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.problem, self.counts = problem, np.array([cell.trips for cell in cells], dtype=int)
        self.first_depth, self.growth = first_depth, growth
        self.position = {count: position for position, count in enumerate(self.counts.tolist())}
        self.fetches = 0  # sweeps of the arrangement made for longer lists
        self.walked = 0  # cells walked: their vehicles in use bounded, or counted
        self.counted = 0  # cells whose vehicles in use were counted exactly
        self.cells: dict[int, CellColumns] = {}
        self.bound: dict[int, float] = {}  # a cell not in the list is worth less (−inf: none is left out)
        # per walked cell, in list order: its vehicles in use, or a lower bound on them where not ``exact``
        self.uses: dict[int, np.ndarray] = {}
        self.exact: dict[int, np.ndarray] = {}
        self.walked_cells: dict[int, int] = {}
        self.frontier: dict[int, np.ndarray] = {}  # walked cells recorded below all before them
        size = self.counts.size
        # frontiers as rows padded with cells that fit no limit: vehicles in use, revenue, list position, exact
        self._uses = np.full((size, 1), np.inf)
        self._revenues, self._entries = np.zeros((size, 1)), np.full((size, 1), -1)
        self._sure = np.zeros((size, 1), dtype=bool)
        self._fallback, self._walked_all = np.zeros(size), np.zeros(size, dtype=bool)
        self._settled, self._unwalked = np.zeros(size, dtype=bool), np.zeros(size, dtype=int)
        self._uncounted = np.zeros(size, dtype=int)
        table_cells = CellColumns.of(cells)
        # every table cell's vehicles exactly, and the minutes at which those that break a limit peak
        if vehicles is None:
            vehicles = problem.in_use.peaks_and_minutes(vertex_trips(problem, table_cells.points, table_cells.boundary))
        used, busiest = vehicles
        # each count's list starts with its table cell, walked and counted: its own slice of shared columns
        uses, exact, first = np.array(used, dtype=np.int32), np.ones(size, dtype=bool), np.zeros(1, dtype=int)
        bounds = np.nextafter(table_cells.revenue, np.inf).tolist()  # the count's best cell
        for position, count in enumerate(self.counts.tolist()):
            self.cells[count] = table_cells.take(slice(position, position + 1))
            self.uses[count], self.exact[count] = uses[position : position + 1], exact[position : position + 1]
            self.walked_cells[count], self.frontier[count], self.bound[count] = 1, first, bounds[position]
        self._update_rows(self.counts.tolist())
        self.walked = self.counted = size  # every table cell is checked against eq. (11), exactly
        #: the table cell fits every limit asked: the count earns R*(K) under each
        self.unlimited = used <= np.asarray(smallest_limits, dtype=float)
        self.busy = BusyMinutes(problem, busiest[~self.unlimited])

    def _reset(self, count: int, cells: CellColumns) -> None:
        self.cells[count], self.walked_cells[count] = cells, 0
        self.uses[count], self.exact[count] = np.zeros(len(cells), dtype=np.int32), np.zeros(len(cells), dtype=bool)
        self.frontier[count] = np.zeros(0, dtype=int)

    # -- queries -----------------------------------------------------------------------------------------
    def best(
        self, limits: np.ndarray, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per count, under its limit on vehicles in use: revenue, cell, whether exact, whether all walked.

        With ``rows`` (positions in :attr:`counts`), only those counts, ``limits`` following them.

        The cell is −1 where none is known. Once every listed cell is walked and counted as far as the
        limit needs, only a longer list (:meth:`fetch`) can tell more. Where not exact the revenue is an
        upper bound (a cell not walked, not counted exactly or not listed yet may fit); an exact −inf means
        that no cell with that count fits at all.
        """
        rows = np.arange(self.counts.size) if rows is None else rows
        fitting = self._uses[rows] <= np.asarray(limits, dtype=float)[:, None]
        fits, first = fitting.any(axis=1), fitting.argmax(axis=1)  # the first frontier cell within the limit
        revenues = np.where(fits, self._revenues[rows, first], self._fallback[rows])
        entries = np.where(fits, self._entries[rows, first], -1)
        sure = self._sure[rows, first]  # that cell's vehicles are counted, not only bounded from below
        exact = np.where(fits, sure, self._settled[rows])
        return revenues, entries, exact, self._walked_all[rows] & ~(fits & ~sure)

    def cell(self, count: int, entry: int) -> Cell:
        """A walked cell of the count."""
        return self.cells[count][entry]

    def vehicles(self, count: int, entry: int) -> int:
        """Vehicles in use of a walked cell counted exactly (every cell :meth:`best` answers with)."""
        assert self.exact[count][entry], "a cell whose vehicles in use are only bounded"
        return int(self.uses[count][entry])

    def unwalked(self) -> np.ndarray:
        """Per count, its listed cells not walked yet: only :meth:`fetch` raises this, :meth:`settle` lowers it."""
        return self._unwalked.copy()

    def uncounted(self) -> np.ndarray:
        """Per count, its walked cells whose vehicles in use are only bounded: :meth:`settle` may count them."""
        return self._uncounted.copy()

    def work(self) -> int:
        """Cells walked plus cells counted exactly: every call of :meth:`settle` that can do anything raises it."""
        return self.walked + self.counted

    # -- walking and listing -----------------------------------------------------------------------------
    def settle(
        self, requests: Mapping[int, float], stops: Mapping[int, float] | None = None, once: bool = False
    ) -> None:
        """Walk each count's listed cells until its frontier reaches the limit asked (count -> limit).

        First the walked cells recorded within the limit by a bound only are counted exactly, in list order
        (:attr:`FIRST_RECOUNT`, then twice as many each time), until the first is exact; then, if no walked
        cell fits, the next cells are walked. With ``stops`` (count -> revenue), a count's walk also ends
        before a cell worth less: a caller to whom the count matters only above that revenue need not walk
        further. With ``once``, each count counts or walks one chunk (as many cells as it has walked, and 8
        more), so that a caller can look again.
        """
        stops = stops or {}
        recount = dict.fromkeys(requests, self.FIRST_RECOUNT)
        pending = list(requests)
        while pending:
            unsure = {count: self._unsure(count, requests[count], recount[count]) for count in pending}
            recounting = [count for count in pending if unsure[count].size]
            if recounting:
                self._count_exactly({count: unsure[count] for count in recounting})
                recount.update((count, 2 * recount[count]) for count in recounting)
            pending = [
                count
                for count in pending
                if count in recounting
                or (
                    self.walked_cells[count] < len(self.cells[count])
                    and not self._reached(count, requests[count])
                    and self.cells[count].revenue[self.walked_cells[count]] >= stops.get(count, -np.inf)
                )
            ]
            walking = [count for count in pending if count not in recounting]
            chunks = [
                (count, self.walked_cells[count], min(len(self.cells[count]), 2 * self.walked_cells[count] + 8))
                for count in walking
            ]
            if chunks:
                self._walk(chunks, requests)
            if once:
                break
        self._update_rows(requests)

    def _unsure(self, count: int, limit: float, most: int) -> np.ndarray:
        """The first ``most`` walked cells recorded within the limit by a bound only, from the first frontier cell.

        None if that first frontier cell within the limit is counted exactly (or there is none): the answer
        under the limit is then known as far as the count is walked.
        """
        frontier = self.frontier[count]
        uses, exact = self.uses[count], self.exact[count]
        within = frontier[uses[frontier] <= limit]
        if not within.size or exact[within[0]]:
            return np.zeros(0, dtype=int)
        walked = self.walked_cells[count]
        later = np.flatnonzero((uses[within[0] : walked] <= limit) & ~exact[within[0] : walked]) + within[0]
        return later[:most]

    def _count_exactly(self, positions: Mapping[int, np.ndarray]) -> None:
        """Count the vehicles in use of walked cells exactly (count -> list positions) and redraw their frontiers."""
        parts = CellColumns.joined([self.cells[count].take(chosen) for count, chosen in positions.items()])
        used = self._vehicles(parts.points, parts.boundary)
        offset = 0
        for count, chosen in positions.items():
            self.uses[count][chosen], self.exact[count][chosen] = used[offset : offset + chosen.size], True
            offset += chosen.size
            walked, frontier = self.walked_cells[count], self.frontier[count]
            # the cells before the first recounted keep their frontier; from there on, draw it again
            kept = frontier[frontier < chosen[0]]
            before = self.uses[count][kept[-1]] if kept.size else np.inf
            redrawn = self._below_all(self.uses[count][chosen[0] : walked], before) + chosen[0]
            self.frontier[count] = np.r_[kept, redrawn]
        self.counted += len(parts)

    def _walk(self, chunks: list[tuple[int, int, int]], limits: Mapping[int, float]) -> None:
        """Walk cells ``start:end`` of each (count, start, end): bound each, count exactly those within the limit."""
        parts = CellColumns.joined([self.cells[count].take(slice(start, end)) for count, start, end in chunks])
        sizes = [end - start for _, start, end in chunks]
        ceilings = np.repeat([limits[count] for count, _, _ in chunks], sizes)
        used = parts.lower.astype(int)  # bounds found when the cells were listed; −1 where none was
        unknown = np.flatnonzero(used < 0)
        for start in range(0, unknown.size, self.BATCH):
            block = unknown[start : start + self.BATCH]
            used[block] = self.busy.lower(parts.points[block], parts.boundary[block])
        # only a cell whose bound fits the limit asked may be the answer: count it exactly now
        exact = used <= ceilings
        used[exact] = self._vehicles(parts.points[exact], parts.boundary[exact])
        self.counted += int(exact.sum())
        offset = 0
        for (count, _, _), size in zip(chunks, sizes):
            self._record(count, used[offset : offset + size], exact[offset : offset + size])
            offset += size
        self.walked += len(parts)

    def _vehicles(self, points: np.ndarray, boundary: np.ndarray) -> np.ndarray:
        """Exact vehicles in use of the cells at these vertices, a batch at a time."""
        used = np.empty(points.shape[0], dtype=int)
        for start in range(0, points.shape[0], self.BATCH):
            block = slice(start, start + self.BATCH)
            used[block] = self.problem.in_use.peaks(vertex_trips(self.problem, points[block], boundary[block]))
        return used

    def fetch(self, floors: Mapping[int, float]) -> None:
        """List, for each count, its cells worth at least the floor (count -> revenue), in one sweep.

        A count may get ``growth`` times as many cells as it has listed, and at least ``first_depth``; the
        cells it has walked keep their vehicles in use. Each floor must lie below the count's bound on the
        cells not listed, so that every count gets more cells or a lower bound.
        """
        assert all(floor < self.bound[count] for count, floor in floors.items()), "a floor at or above a bound"
        self.fetches += 1
        depths = {count: max(self.first_depth, self.growth * len(self.cells[count])) for count in floors}
        for count, (cells, bound) in top_cells(self.problem, floors, depths, self.busy).items():
            old, uses, exact = self.cells[count], self.uses[count], self.exact[count]
            same = min(old.same_prefix(cells), self.walked_cells[count])
            self._reset(count, cells)
            self._record(count, uses[:same], exact[:same])
            self.bound[count] = bound
        self._update_rows(floors)

    def _record(self, count: int, used: np.ndarray, exact: np.ndarray) -> None:
        """Vehicles in use (or bounds) of the count's next listed cells; the frontier keeps each below all before."""
        start = self.walked_cells[count]
        self.uses[count][start : start + used.size], self.exact[count][start : start + used.size] = used, exact
        self.walked_cells[count] = start + used.size
        frontier = self.frontier[count]
        before = self.uses[count][frontier[-1]] if frontier.size else np.inf
        self.frontier[count] = np.r_[frontier, self._below_all(used, before) + start]

    @staticmethod
    def _below_all(used: np.ndarray, before: float) -> np.ndarray:
        """Positions in ``used`` of the figures below ``before`` and below every figure ahead of them."""
        fewest_ahead = np.minimum.accumulate(np.r_[before, used])[:-1]
        return np.flatnonzero(used < fewest_ahead)

    def _reached(self, count: int, limit: float) -> bool:
        """A walked cell counted exactly fits the limit, and every walked cell before it is recorded above it."""
        frontier = self.frontier[count]
        within = frontier[self.uses[count][frontier] <= limit]
        return bool(within.size) and bool(self.exact[count][within[0]])

    def _update_rows(self, changed: Iterable[int]) -> None:
        """The changed counts' frontiers into the rows :meth:`best` reads, and their values past them."""
        for count in changed:
            position = self.position[count]
            frontier, cells, uses = self.frontier[count], self.cells[count], self.uses[count]
            if frontier.size > self._uses.shape[1]:
                extra = max(frontier.size, 2 * self._uses.shape[1]) - self._uses.shape[1]
                self._uses = np.pad(self._uses, ((0, 0), (0, extra)), constant_values=np.inf)
                self._revenues = np.pad(self._revenues, ((0, 0), (0, extra)))
                self._entries = np.pad(self._entries, ((0, 0), (0, extra)), constant_values=-1)
                self._sure = np.pad(self._sure, ((0, 0), (0, extra)))
            self._uses[position] = np.inf
            self._uses[position, : frontier.size] = uses[frontier]
            self._revenues[position, : frontier.size] = cells.revenue[frontier]
            self._entries[position, : frontier.size] = frontier
            self._sure[position, : frontier.size] = self.exact[count][frontier]
            walked = self.walked_cells[count]
            # past the frontier: the next cell not walked, else the bound on cells not listed
            self._fallback[position] = cells.revenue[walked] if walked < len(cells) else self.bound[count]
            self._unwalked[position] = len(cells) - walked
            self._uncounted[position] = walked - int(self.exact[count][:walked].sum())
            self._walked_all[position] = walked == len(cells)
            self._settled[position] = walked == len(cells) and self.bound[count] == -np.inf
