"""The operator's best price cell of each trip count under a fleet-in-use limit (seed 003, eq. (11)).

A :class:`~evgames.models.operator_response.ResponseTable` holds, for every trip count K, the best fare
revenue R*(K) of any cell of the price plane with K sharing trips — ignoring eq. (11), n_r(t) ≤ 0.95 m.
Where that cell needs more vehicles than a fleet allows, the operator takes the best cell with K trips
that fits, which the upper level (:mod:`evgames.models.bilevel`) has to know for many fleets at once.

For one count, walk its vertex cells by falling revenue and keep each that uses fewer vehicles than all
before it: a *frontier*. Under a limit ℓ the best fitting cell is the first frontier cell using at most ℓ
vehicles — every cell before it uses more — so one frontier answers every limit down to the vehicles of
its last cell. Everything is lazy: every count starts from its table cell alone; a count is walked further
(:meth:`FleetLimitedCells.settle`) only when a limit asks for it, and its cells down to a given revenue
are listed from one sweep of the arrangement for many counts at once (:meth:`FleetLimitedCells.fetch`,
:meth:`~evgames.models.operator_response.ResponseTable.top_cells`). Until then the count's revenue under a
limit it has not reached is known only as an upper bound, and :meth:`FleetLimitedCells.best` says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from evgames.models.operator_response import Candidate, ResponseTable
from evgames.models.subsidy_pricing import InUse

__all__ = ["FleetLimitedCells"]


class FleetLimitedCells:
    """Per trip count, the best cell whose vehicles in use fit a limit — exact where settled, else a bound.

    Args:
        table: The operator's response table.
        counts: The trip counts asked about (each with a finite ``table.best``); results follow this order.
        smallest_limits: Per count, the smallest limit that will be asked (at the smallest fleet): a count
            whose table cell fits it earns R*(K) under every limit (:attr:`unlimited`).
    """

    #: Cells whose vehicles in use are counted in one product (memory: trips × this, in bytes).
    BATCH = 1024

    def __init__(self, table: ResponseTable, counts: np.ndarray, smallest_limits: np.ndarray) -> None:
        self.table, self.counts = table, np.asarray(counts, dtype=int)
        self.in_use_of = InUse(table.trips)
        self.fetches = 0  # sweeps of the arrangement made for longer lists
        self.walked = 0  # cells whose vehicles in use were counted
        self.cells: dict[int, list[Candidate]] = {}
        self.bound: dict[int, float] = {}  # a cell not in the list is worth less (−inf: none is left out)
        self.uses: dict[int, list[int]] = {}  # vehicles in use of the walked cells, in list order
        self.frontier: dict[int, list[int]] = {}  # walked cells using fewer vehicles than all before them
        for count in self.counts.tolist():
            self._reset(count, [(float(table.best[count]), count, table.points[count], table.counted[count])])
            self.bound[count] = float(np.nextafter(table.best[count], np.inf))  # the table cell is the best
        self.settle(dict.fromkeys(self.counts.tolist(), np.inf))  # every table cell's vehicles
        #: the table cell fits every limit asked: the count earns R*(K) under each
        self.unlimited = np.array(
            [self._reached(count, limit) for count, limit in zip(self.counts.tolist(), smallest_limits)]
        )

    def _reset(self, count: int, cells: list[Candidate]) -> None:
        self.cells[count], self.uses[count], self.frontier[count] = cells, [], []

    # -- queries -----------------------------------------------------------------------------------------
    def best(self, limits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per count, under its limit on vehicles in use: revenue, cell, whether exact, whether all walked.

        The cell is −1 where none is known. Once every listed cell is walked only a longer list
        (:meth:`fetch`) can tell more. Where not exact the revenue is an upper bound (a cell not walked
        or not listed yet may fit); an exact −inf means that no cell with that count fits at all.
        """
        trips = len(self.table.trips)
        limits = np.minimum(np.asarray(limits, dtype=float), trips)  # more than every trip in use: no limit
        # frontier cells of count p are keyed p (N + 1) − uses: rising within a count and from count to count
        wanted = np.arange(self.counts.size) * (trips + 1.0) - limits
        found = np.searchsorted(self._keys, wanted, side="left")
        fits = found < self._ends
        at = np.where(fits, found, 0)
        revenues = np.where(fits, self._revenues[at], self._fallback)
        entries = np.where(fits, self._entries[at], -1)
        return revenues, entries, fits | self._settled, self._walked_all

    def cell(self, count: int, entry: int) -> Candidate:
        """A walked cell of the count."""
        return self.cells[count][entry]

    def vehicles(self, count: int, entry: int) -> int:
        """Vehicles in use of a walked cell."""
        return self.uses[count][entry]

    # -- walking and listing -----------------------------------------------------------------------------
    def settle(self, requests: Mapping[int, float]) -> None:
        """Walk each count's listed cells until its frontier reaches the limit asked (count -> limit)."""
        pending = [count for count, limit in requests.items() if not self._reached(count, limit)]
        while pending:
            batch: list[tuple[int, int]] = []  # (count, list position) of the cells to count vehicles for
            for count in pending:
                walked = len(self.uses[count])
                batch += [(count, position) for position in range(walked, min(len(self.cells[count]), 2 * walked + 8))]
            for start in range(0, len(batch), self.BATCH):
                part = batch[start : start + self.BATCH]
                chosen = self.table.chosen_many([self.cells[count][position] for count, position in part])
                for (count, position), used in zip(part, self.in_use_of.peaks(chosen).tolist()):
                    self.uses[count].append(used)
                    frontier = self.frontier[count]
                    if not frontier or used < self.uses[count][frontier[-1]]:
                        frontier.append(position)
            self.walked += len(batch)
            pending = [
                count
                for count in pending
                if len(self.uses[count]) < len(self.cells[count]) and not self._reached(count, requests[count])
            ]
        self._flatten()

    def fetch(self, floors: Mapping[int, float]) -> None:
        """List every cell worth at least the floor for each count (count -> revenue), in one sweep."""
        self.fetches += 1
        for count, (cells, bound) in self.table.top_cells(floors).items():
            self._reset(count, cells)
            self.bound[count] = bound
        self._flatten()

    def _reached(self, count: int, limit: float) -> bool:
        frontier = self.frontier[count]
        return bool(frontier) and self.uses[count][frontier[-1]] <= limit

    def _flatten(self) -> None:
        """The frontiers as flat arrays for :meth:`best`, and each count's value past its frontier."""
        trips = len(self.table.trips)
        keys, revenues, entries, ends, fallback, walked_all = [], [], [], [], [], []
        for position, count in enumerate(self.counts.tolist()):
            frontier, cells, uses = self.frontier[count], self.cells[count], self.uses[count]
            keys += [position * (trips + 1.0) - uses[entry] for entry in frontier]
            revenues += [cells[entry][0] for entry in frontier]
            entries += frontier
            ends.append(len(keys))
            walked = len(uses)
            # past the frontier: the next cell not walked, else the bound on cells not listed
            fallback.append(cells[walked][0] if walked < len(cells) else self.bound[count])
            walked_all.append(walked == len(cells))
        self._keys, self._revenues = np.array(keys, dtype=float), np.array(revenues, dtype=float)
        self._entries, self._ends = np.array(entries, dtype=int), np.array(ends, dtype=int)
        self._fallback, self._walked_all = np.array(fallback, dtype=float), np.array(walked_all, dtype=bool)
        self._settled = self._walked_all & (np.array([self.bound[count] for count in self.counts.tolist()]) == -np.inf)
