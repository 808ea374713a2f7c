"""Many vertex cells of the price plane held as numpy columns, not as one Python tuple each (seed 003, eq. (11)).

The fleet-in-use limit of eq. (11) can take the best cell of a trip count away; then the next best cells
of the count are listed (:mod:`~evgames.models.subsidy_pricing.shortlist`) and walked
(:mod:`~evgames.models.subsidy_pricing.fleet_limit`) — millions of them where the limit binds hard. As
:class:`~evgames.models.subsidy_pricing.arrangement.Cell` tuples they cost about 300 bytes each (a tuple, a
float, an int, a 2-vector array and a tuple of boundary trips); as columns they cost 36.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from evgames.models.subsidy_pricing.arrangement import Cell

__all__ = ["CellColumns"]


class CellColumns:
    """Cells as columns: revenue, trip count, vertex (p_s, p_t), up to two boundary trips counted (−1: none).

    ``lower`` holds a lower bound on each cell's vehicles in use where one is known
    (:meth:`~evgames.models.subsidy_pricing.in_use_bound.BusyMinutes.along`), −1 elsewhere.

    Indexing gives one :class:`~evgames.models.subsidy_pricing.arrangement.Cell`; :meth:`take` the columns of
    several.
    """

    __slots__ = ("boundary", "lower", "points", "revenue", "trips")

    def __init__(
        self,
        revenue: np.ndarray,
        trips: np.ndarray,
        points: np.ndarray,
        boundary: np.ndarray,
        lower: np.ndarray | None = None,
    ) -> None:
        self.revenue = np.asarray(revenue, dtype=float)
        self.trips = np.asarray(trips, dtype=np.int32)
        self.points = np.asarray(points, dtype=float).reshape(-1, 2)
        self.boundary = np.asarray(boundary, dtype=np.int32).reshape(-1, 2)
        self.lower = np.full(self.revenue.size, -1, dtype=np.int32) if lower is None else np.asarray(lower, np.int32)

    @classmethod
    def of(cls, cells: Sequence[Cell]) -> CellColumns:
        """The columns of a sequence of cells."""
        return cls(
            [cell.revenue for cell in cells],
            [cell.trips for cell in cells],
            [cell.point for cell in cells],
            [(*cell.counted, -1, -1)[:2] for cell in cells],
        )

    @classmethod
    def joined(cls, parts: Sequence[CellColumns]) -> CellColumns:
        """The cells of every part, in order."""
        return cls(
            np.concatenate([part.revenue for part in parts]),
            np.concatenate([part.trips for part in parts]),
            np.concatenate([part.points for part in parts]),
            np.concatenate([part.boundary for part in parts]),
            np.concatenate([part.lower for part in parts]),
        )

    def __len__(self) -> int:
        return self.revenue.size

    def __iter__(self) -> Iterator[Cell]:
        return (self[index] for index in range(len(self)))

    def __getitem__(self, index: int) -> Cell:
        counted = tuple(int(trip) for trip in self.boundary[index] if trip >= 0)
        return Cell(float(self.revenue[index]), int(self.trips[index]), self.points[index].copy(), counted)

    def take(self, selection: slice | np.ndarray) -> CellColumns:
        """The columns of the cells selected (a slice, positions or a mask)."""
        return CellColumns(
            self.revenue[selection],
            self.trips[selection],
            self.points[selection],
            self.boundary[selection],
            self.lower[selection],
        )

    def same_prefix(self, other: CellColumns) -> int:
        """How many leading cells the two hold alike (vertex, boundary trips and revenue)."""
        size = min(len(self), len(other))
        same = (
            (self.revenue[:size] == other.revenue[:size])
            & (self.points[:size] == other.points[:size]).all(axis=1)
            & (self.boundary[:size] == other.boundary[:size]).all(axis=1)
        )
        return size if same.all() else int(np.argmin(same))
