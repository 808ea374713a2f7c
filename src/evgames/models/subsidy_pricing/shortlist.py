"""Lists of the best vertex cells of each trip count, from one sweep of the arrangement (seed 003, eq. (11)).

The response table (:class:`~evgames.models.subsidy_pricing.response_table.ResponseTable`) keeps one
cell per trip count, the best. Where the fleet-in-use limit of eq. (11) removes that cell, the next best
cells of the count are needed, best first: :func:`top_cells` lists, for each count asked, every vertex
cell worth at least a floor — or only the best few — with a bound on what any cell left out is worth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from evgames.models.subsidy_pricing.arrangement import Cell, box_corners, line_vertices
from evgames.models.subsidy_pricing.cell_columns import CellColumns
from evgames.models.subsidy_pricing.in_use_bound import BusyMinutes
from evgames.models.subsidy_pricing.problem import OperatorProblem

__all__ = ["Shortlist", "top_cells"]


def top_cells(
    problem: OperatorProblem,
    floors: Mapping[int, float],
    depths: Mapping[int, int] | None = None,
    busy: BusyMinutes | None = None,
) -> dict[int, tuple[CellColumns, float]]:
    """For each trip count K, every vertex cell worth at least ``floors[K]``, best revenue first (as columns).

    With ``depths``, only the best ``depths[K]`` of them (and any tied with the last). With each list comes
    a bound: less than it is what any cell left out is worth (−inf when none is left out: the list
    holds every cell with K trips). The supremum of a cell is reached at one of its
    vertices, so walking a list finds the best cell under an extra condition on its trips — the
    fleet-in-use limit of eq. (11), which the response table ignores. One sweep of the arrangement.
    With ``busy``, each cell met along a line also gets that line's lower bound on its vehicles in use
    (:meth:`~evgames.models.subsidy_pricing.in_use_bound.BusyMinutes.along`; −1 where unknown).
    """
    shortlist = Shortlist(len(problem.trips) + 3, floors, depths)
    for vertices in line_vertices(problem):
        shortlist.offer(vertices.ends)
        if not vertices.values.shape[1]:
            continue
        flat = shortlist.wanted(vertices.values.ravel(), vertices.counts.ravel())
        if flat.size:
            option, event = np.divmod(flat, vertices.values.shape[1])
            crossing = vertices.crossing[event]
            first = np.where(option == 2, crossing, np.where(option == 0, -1, vertices.line))
            second = np.where(option == 3, crossing, -1)
            points = vertices.points[event]
            lower = busy.along(vertices)[option, event] if busy is not None else np.full(flat.size, -1)
            boundary = np.column_stack([first, second])
            shortlist.add(vertices.values[option, event], vertices.counts[option, event], points, boundary, lower)
    shortlist.offer(box_corners(problem))
    return shortlist.lists()


class Shortlist:
    """The vertex cells of each wanted trip count worth at least its floor (see :func:`top_cells`).

    With depths, once the cells kept outgrow a budget each count is cut back to its depth, and its
    floor rises to the last one kept. Boundary trips counted are stored as two columns, −1 for none.
    """

    def __init__(self, size: int, floors: Mapping[int, float], depths: Mapping[int, int] | None = None) -> None:
        self.asked = np.zeros(size, dtype=bool)
        self.floor = np.full(size, np.inf)
        for count, floor in floors.items():
            self.asked[count], self.floor[count] = True, floor
        self.dropped = np.zeros(size, dtype=bool)
        real, whole = np.zeros(0), np.zeros(0, dtype=np.int32)
        # columns: revenue, trip count, vertex, boundary trips (two, −1: none), bound on vehicles in use (−1: none)
        self.parts: list[tuple[np.ndarray, ...]] = [(real, whole, real.reshape(0, 2), whole.reshape(0, 2), whole)]
        self.depth = np.zeros(size, dtype=int)  # 0: no cut
        for count, depth in (depths or {}).items():
            self.depth[count] = depth
        self.cuts, self.kept = depths is not None, 0
        self.budget = 4 * int(self.depth.sum()) + 65536

    def wanted(self, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Positions of the cells to keep; the counts of the others are marked as not complete."""
        keep = values >= self.floor[counts]
        self.dropped[counts[self.asked[counts] & ~keep]] = True
        return np.flatnonzero(keep)

    def add(
        self, values: np.ndarray, counts: np.ndarray, points: np.ndarray, boundary: np.ndarray, lower: np.ndarray
    ) -> None:
        """Keep cells given as columns.

        Revenue, trip count, vertex (rows of p_s, p_t), boundary trips counted (rows of two, −1: none), and a
        lower bound on vehicles in use (−1: none known).
        """
        # compact types: where eq. (11) binds hard the lists hold millions of cells
        whole = [np.asarray(column, dtype=np.int32) for column in (counts, boundary, lower)]
        self.parts.append((np.asarray(values, dtype=float), whole[0], points, whole[1], whole[2]))
        self.kept += len(values)
        if self.cuts and self.kept > self.budget:
            self._cut()

    def offer(self, cells: Sequence[Cell]) -> None:
        """Keep the cells worth at least their count's floor."""
        values = np.array([cell.revenue for cell in cells], dtype=float)
        counts = np.array([cell.trips for cell in cells], dtype=int)
        keep = self.wanted(values, counts)
        if keep.size:
            points = np.array([cells[index].point for index in keep], dtype=float)
            boundary = np.array([(*cells[index].counted, -1, -1)[:2] for index in keep], dtype=int)
            self.add(values[keep], counts[keep], points, boundary, np.full(keep.size, -1))

    def lists(self) -> dict[int, tuple[CellColumns, float]]:
        """Per count asked: its cells kept, best first, and the bound on those left out."""
        self._cut()  # sorts the cells, and cuts them if depths were given
        value, count, points, boundary, lower = self.parts[0]
        # one slice of the sorted columns per count: no Python object per cell
        asked = np.flatnonzero(self.asked)
        starts, ends = np.searchsorted(count, asked, side="left"), np.searchsorted(count, asked, side="right")
        return {
            int(wanted): (
                CellColumns(
                    value[start:end], count[start:end], points[start:end], boundary[start:end], lower[start:end]
                ),
                float(self.floor[wanted]) if self.dropped[wanted] else -np.inf,
            )
            for wanted, start, end in zip(asked.tolist(), starts.tolist(), ends.tolist())
        }

    def _cut(self) -> None:
        """Sort the cells kept by count and falling value into one part; with depths, cut each count to its depth."""
        columns = [np.concatenate(column) for column in zip(*self.parts)]
        self.parts = []  # the parts are copied: let them go before the sorted copy is made
        order = self._order(columns[0], columns[1])
        for position, column in enumerate(columns):  # one column at a time, each let go once taken
            columns[position] = column[order]
            del column
        self.parts = [tuple(columns)]
        self.kept = order.size
        self.budget = 2 * self.kept + 4 * int(self.depth.sum()) + 65536

    def _order(self, value: np.ndarray, count: np.ndarray) -> np.ndarray:
        """The cells to keep, by count and then by falling value: with depths, each count's best down to its depth."""
        order = np.lexsort((-value, count))
        if not self.cuts:
            return order
        value, count = value[order], count[order]
        starts = np.flatnonzero(np.r_[True, count[1:] != count[:-1]])
        rank = np.arange(count.size) - np.repeat(starts, np.diff(np.r_[starts, count.size]))
        last = rank == self.depth[count] - 1
        self.floor[count[last]] = np.maximum(self.floor[count[last]], value[last])
        keep = value >= self.floor[count]
        self.dropped[count[~keep]] = True
        return order[keep]
