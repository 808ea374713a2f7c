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
from evgames.models.subsidy_pricing.problem import OperatorProblem

__all__ = ["Shortlist", "top_cells"]


def top_cells(
    problem: OperatorProblem, floors: Mapping[int, float], depths: Mapping[int, int] | None = None
) -> dict[int, tuple[list[Cell], float]]:
    """For each trip count K, every vertex cell worth at least ``floors[K]``, best revenue first.

    With ``depths``, only the best ``depths[K]`` of them (and any tied with the last). With each list comes
    a bound: less than it is what any cell left out is worth (−inf when none is left out: the list
    holds every cell with K trips). The supremum of a cell is reached at one of its
    vertices, so walking a list finds the best cell under an extra condition on its trips — the
    fleet-in-use limit of eq. (11), which the response table ignores. One sweep of the arrangement.
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
            shortlist.add(vertices.values[option, event], vertices.counts[option, event], points, first, second)
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
        self.parts: list[tuple[np.ndarray, ...]] = []
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
        self, values: np.ndarray, counts: np.ndarray, points: np.ndarray, first: np.ndarray, second: np.ndarray
    ) -> None:
        """Keep cells given as columns: revenue, trip count, vertex, boundary trips counted (−1: none)."""
        self.parts.append((values, counts, points[:, 0], points[:, 1], first, second))
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
            self.add(values[keep], counts[keep], points, boundary[:, 0], boundary[:, 1])

    def lists(self) -> dict[int, tuple[list[Cell], float]]:
        """Per count asked: its cells kept, best first, and the bound on those left out."""
        if self.parts and self.cuts:
            self._cut()
        found: dict[int, tuple[list[Cell], float]] = {
            int(count): ([], float(self.floor[count]) if self.dropped[count] else -np.inf)
            for count in np.flatnonzero(self.asked)
        }
        if self.parts:
            value, count, ps, pt, first, second = self._sorted()
            for index in range(value.size):
                counted = tuple(int(trip) for trip in (first[index], second[index]) if trip >= 0)
                point = np.array([ps[index], pt[index]])
                found[int(count[index])][0].append(Cell(float(value[index]), int(count[index]), point, counted))
        return found

    def _sorted(self) -> list[np.ndarray]:
        """The cells kept, by count and then by falling value."""
        columns = [np.concatenate(column) for column in zip(*self.parts)]
        order = np.lexsort((-columns[0], columns[1]))
        return [column[order] for column in columns]

    def _cut(self) -> None:
        columns = self._sorted()
        value, count = columns[0], columns[1]
        starts = np.flatnonzero(np.r_[True, count[1:] != count[:-1]])
        rank = np.arange(count.size) - np.repeat(starts, np.diff(np.r_[starts, count.size]))
        last = rank == self.depth[count] - 1
        self.floor[count[last]] = np.maximum(self.floor[count[last]], value[last])
        keep = value >= self.floor[count]
        self.dropped[count[~keep]] = True
        self.parts = [tuple(column[keep] for column in columns)]
        self.kept = int(keep.sum())
        self.budget = 2 * self.kept + 4 * int(self.depth.sum()) + 65536
