"""A cheap lower bound on the vehicles in use of vertex cells: their trips under way at a few busy minutes (eq. (11)).

The vehicles in use of a set of trips are its largest count under way over the 1,440 minutes of the day
(:mod:`~evgames.models.subsidy_pricing.in_use`); the count at any one minute is at most that, so the
largest count over a few minutes is a lower bound. Only the trips under way at those minutes matter for
it: where the fleet-in-use limit binds, a few hundred of 5,000, so the bound costs a small part of the
exact count. The minutes are those at which cells known to break a limit reach their peaks: the cells
walked next are near them in the price plane and tend to peak at the same minutes.

Along one choice line (:class:`~evgames.models.subsidy_pricing.arrangement.LineVertices`) the cells at
consecutive crossings differ by one trip, so :meth:`BusyMinutes.along` gets the bound of every cell on the
line from one running sum per minute, as the sweep counts trips. That count is the one
:meth:`BusyMinutes.lower` makes at the vertex only where no trip looked at passes within
:attr:`BusyMinutes.CLEARANCE` of the vertex (nor of the line's ends): there the sign of a·p − b, which
the sweep follows, and the test a·p < b − 1e-9 at the rounded vertex agree. Elsewhere ``along`` says −1,
unknown, and the cell is bounded at the vertex when walked.
"""

from __future__ import annotations

import numpy as np

from evgames.models.subsidy_pricing.arrangement import LineVertices, vertex_trips
from evgames.models.subsidy_pricing.in_use import MINUTES, occupied_minutes
from evgames.models.subsidy_pricing.problem import OperatorProblem

__all__ = ["BusyMinutes"]


class BusyMinutes:
    """Trips under way at a few minutes of the day, for lower bounds on vehicles in use.

    Args:
        problem: The operator's problem.
        peaks: Minutes at which sets of trips reached their vehicles in use (repeats welcome): the
            ``most`` most frequent of them are kept.
        most: How many distinct minutes to keep.
    """

    #: How far (in CNY of a·p − b) a trip looked at must stay from a vertex for the running count to hold there:
    #: a thousand times the choice margin of 1e-9, and far above the rounding of fares of a few hundred CNY.
    CLEARANCE = 1e-6

    def __init__(self, problem: OperatorProblem, peaks: np.ndarray, most: int = 24) -> None:
        self.problem = problem
        minutes, times = np.unique(np.asarray(peaks, dtype=int), return_counts=True)
        self.minutes = np.sort(minutes[np.argsort(-times, kind="stable")[:most]])
        begin, length = occupied_minutes(problem.trips)
        # trip n is under way at minute t iff t lies in its occupied minutes, wrapping past midnight
        under_way = (self.minutes[None, :] - begin[:, None]) % MINUTES < length[:, None]
        self.rows = np.flatnonzero(under_way.any(axis=1))  # the only trips the bound looks at
        self.under_way = np.ascontiguousarray(under_way[self.rows].T, dtype=np.float32)  # minutes × those trips
        self.every_trip = under_way.astype(np.int32)  # trips × minutes: 0 for the trips not looked at
        self.looked_at = np.zeros(len(begin), dtype=bool)
        self.looked_at[self.rows] = True

    def lower(self, points: np.ndarray, boundary: np.ndarray) -> np.ndarray:
        """Per vertex cell (vertex, boundary trips counted as two columns, −1 for none): at most its vehicles in use.

        The trips looked at are counted as :func:`~evgames.models.subsidy_pricing.arrangement.vertex_trips`
        counts them for the exact figure, entry for entry, so the bound never exceeds it.
        """
        if not self.rows.size:
            return np.zeros(points.shape[0], dtype=int)
        chosen = vertex_trips(self.problem, points, boundary, self.rows)
        # through uint8: numpy converts bytes to floats several times faster than booleans
        return (self.under_way @ chosen.view(np.uint8).astype(np.float32)).max(axis=0).round().astype(int)

    def along(self, vertices: LineVertices) -> np.ndarray:
        """(4, crossings): the bound of :meth:`lower` of each cell met along one choice line, −1 where unknown.

        Rows follow :class:`~evgames.models.subsidy_pricing.arrangement.LineVertices`: the cells counting
        neither boundary trip, the line's own trip n, the crossing trip, or both.
        """
        order, line = vertices.crossing, vertices.line
        lower = np.full((4, order.size), -1, dtype=int)
        if not self.rows.size or not order.size:
            return lower
        if self._near_ends(vertices):  # a trip's choice is unsure where the line enters or leaves the box
            return lower
        under_way = self.every_trip[order]  # crossings × minutes
        entering = vertices.slope[order] < 0
        change = np.where(entering, 1, -1)[:, None] * under_way
        # strictly inside at each crossing: those at the start, every change before it, less a trip leaving there
        strict = self.every_trip[vertices.inside_start].sum(axis=0) + np.cumsum(change, axis=0) - change
        strict -= (~entering)[:, None] * under_way
        own = self.every_trip[line]
        for option, counted in enumerate((strict, strict + own, strict + under_way, strict + own + under_way)):
            lower[option] = counted.max(axis=1)
        lower[:, self._near_vertices(vertices)] = -1
        return lower

    def _near_ends(self, vertices: LineVertices) -> bool:
        """A trip looked at, other than the line's own, within the clearance of either end of the line."""
        trips = self.rows[self.rows != vertices.line]
        offset, slope = vertices.offset[trips], vertices.slope[trips]
        return bool(any((np.abs(offset + end * slope) < self.CLEARANCE).any() for end in vertices.span))

    def _near_vertices(self, vertices: LineVertices) -> np.ndarray:
        """Crossings near which a trip looked at, other than the crossing one, passes within the clearance.

        Trip j's a·p − b changes by |slope_j| per unit of λ along the line, so it is within the clearance
        of the vertices whose λ lies within clearance / |slope_j| of its own crossing; a trip looked at that
        does not cross the line stays clear of every vertex once clear of both ends (it is linear in λ).
        """
        order, at = vertices.crossing, vertices.at
        crossing_looked_at = np.flatnonzero(self.looked_at[order])  # positions among the crossings
        reach = self.CLEARANCE / np.abs(vertices.slope[order[crossing_looked_at]])
        first = np.searchsorted(at, at[crossing_looked_at] - reach, side="left")
        past = np.searchsorted(at, at[crossing_looked_at] + reach, side="right")
        near = np.zeros(order.size + 1, dtype=int)
        np.add.at(near, first, 1)
        np.add.at(near, past, -1)
        # each crossing trip looked at is near its own crossing: that is the boundary trip, counted apart
        return np.cumsum(near)[:-1] - self.looked_at[order] > 0
