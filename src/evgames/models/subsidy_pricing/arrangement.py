"""The arrangement of the users' choice lines in the price plane (seed 003's lower level, exact method).

Users choose C(p) = {n : a_n·p < b_n} (eq. (2)–(6)), so the operator's utility Π(C, p) (eq. (10), see
:mod:`~evgames.models.subsidy_pricing.problem`) is linear on every cell of the arrangement of the N choice
lines a_n·p = b_n inside the price box, and its supremum over a cell is reached at one of the cell's
vertices.

:func:`line_vertices` sweeps along every choice line: the other lines cross it at sorted points where one
trip enters or leaves C; at each crossing (a vertex) the four cells around it are valued — both, either
or neither of the two boundary trips counted as sharing, as on each side of the lines — and likewise
where a line meets the box. O(N² log N) in vectorised numpy. A value counts a trip exactly on its choice
line when the cell approached counts it: the user is indifferent there and, by the tie rule, takes the
private car, so the value is a *supremum* that prices a hair inside the cell attain to any precision.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from evgames.data.subsidy_pricing import Subsidies
from evgames.models.subsidy_pricing.economics import in_use_limit
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem

__all__ = [
    "Cell",
    "LineVertices",
    "boundary_columns",
    "box_corners",
    "cell_trips",
    "cells_trips",
    "line_vertices",
    "vertex_response",
    "vertex_trips",
]


class Cell(NamedTuple):
    """A cell of the price plane met at one of its vertices (a named tuple: lists of them are long).

    Attributes:
        revenue: D Σ (a·p − e) over the cell's sharing trips at the vertex: U_O without the fleet term.
        trips: Number of sharing trips of the cell.
        point: The vertex (p_s, p_t).
        counted: Trips on their own choice line at the vertex that the cell counts as sharing.
    """

    revenue: float
    trips: int
    point: np.ndarray
    counted: tuple[int, ...]

    def same_as(self, other: Cell) -> bool:
        """The same vertex, boundary trips and revenue."""
        return (
            self.revenue == other.revenue
            and self.counted == other.counted
            and bool(np.array_equal(self.point, other.point))
        )


#: The boundary trips a vertex value counts: neither, the line's own trip n, the crossing trip m, or both.
_OPTIONS: tuple[tuple[str, ...], ...] = ((), ("n",), ("m",), ("n", "m"))


@dataclass(frozen=True)
class LineVertices:
    """Vertex data of one choice line n: the cells met along it, without the fleet term.

    ``values[k]`` and ``counts[k]`` (k = 0..3) hold, for every crossing, the revenue part
    D Σ (a·p − e) and the trip count of the cell that counts neither, n, the crossing trip, or both of
    the two boundary trips; ``ends`` lists the cells where the line meets the box. The line is
    p(λ) = origin + λ direction for λ in ``span``; trip m's choice is the sign of
    g_m(λ) = a_m·p(λ) − b_m = ``offset[m]`` + λ ``slope[m]`` (line n's own: inf and 0).
    """

    line: int
    points: np.ndarray  # (events, 2)
    crossing: np.ndarray  # trip crossing line n at each event
    values: np.ndarray  # (4, events)
    counts: np.ndarray  # (4, events)
    ends: list[Cell]
    at: np.ndarray  # λ of each event, rising
    offset: np.ndarray  # g_m(0) per trip
    slope: np.ndarray  # dg_m/dλ per trip
    span: tuple[float, float]  # λ where the line enters and leaves the price box
    inside_start: np.ndarray  # trips sharing where the line enters the box

    def counted(self, option: int, event: int) -> tuple[int, ...]:
        """The boundary trips that option ``option`` (0..3) counts at crossing ``event``."""
        return tuple(self.line if member == "n" else int(self.crossing[event]) for member in _OPTIONS[option])

    def cell(self, option: int, event: int) -> Cell:
        """The cell of option ``option`` at crossing ``event``."""
        return Cell(
            float(self.values[option, event]),
            int(self.counts[option, event]),
            self.points[event],
            self.counted(option, event),
        )


def line_vertices(problem: OperatorProblem) -> Iterator[LineVertices]:
    """Sweep every choice line clipped to the price box (see the module docstring)."""
    params = problem.params
    a, b = problem.per_trip, problem.threshold
    days = params.days
    upper = np.array([params.price_per_km_max, params.price_per_min_max])
    gain = days * (b - problem.energy)  # revenue of a trip counted on its own choice line
    coinciding = problem.twins is not None  # trips sharing a choice line: vertices valued by the vertex test
    for n in range(len(b)):
        normal = a[n]
        origin = normal * b[n] / float(normal @ normal)
        direction = np.array([normal[1], -normal[0]])
        low, high = -np.inf, np.inf
        for k in range(2):  # clip the line to 0 <= origin + λ direction <= upper
            if abs(direction[k]) < 1e-15:
                if not 0 <= origin[k] <= upper[k]:
                    low, high = 1.0, 0.0
                continue
            bounds = sorted(((0 - origin[k]) / direction[k], (upper[k] - origin[k]) / direction[k]))
            low, high = max(low, bounds[0]), min(high, bounds[1])
        if low > high:
            continue
        offset = a @ origin - b  # g_m(0)
        slope = a @ direction  # h_m
        offset[n], slope[n] = np.inf, 0.0  # line n itself is handled as a boundary trip
        inside_start = (offset + low * slope < 0) | ((np.abs(offset + low * slope) < 1e-12) & (slope < 0))
        revenue_origin = days * (a @ origin - problem.energy)
        revenue_slope = days * slope
        with np.errstate(divide="ignore", invalid="ignore"):
            crossing = np.where(slope != 0, -offset / slope, np.inf)
        events = np.flatnonzero((crossing > low) & (crossing < high))
        order = events[np.argsort(crossing[events])]
        entering = slope[order] < 0
        delta = np.where(entering, 1.0, -1.0)
        count_before = float(inside_start.sum()) + np.concatenate([[0.0], np.cumsum(delta)[:-1]])
        origin_before = float(revenue_origin[inside_start].sum()) + np.concatenate(
            [[0.0], np.cumsum(delta * revenue_origin[order])[:-1]]
        )
        slope_before = float(revenue_slope[inside_start].sum()) + np.concatenate(
            [[0.0], np.cumsum(delta * revenue_slope[order])[:-1]]
        )
        leaving = ~entering  # a leaving trip was counted before its crossing: not strictly inside at it
        count_strict = count_before - leaving
        lam = crossing[order]
        base = (origin_before - leaving * revenue_origin[order]) + lam * (slope_before - leaving * revenue_slope[order])
        values = np.stack([base, base + gain[n], base + gain[order], base + gain[n] + gain[order]])
        counts = np.stack([count_strict, count_strict + 1, count_strict + 1, count_strict + 2]).astype(int)
        # only where lines coincide (twins): elsewhere two lines meet at a vertex and sweep order counts it right
        near = _near(offset, slope, lam) if coinciding else np.zeros(lam.size, dtype=bool)
        if near.any():  # other lines (nearly) through the vertex: value those cells as vertex_trips counts them
            points = origin + lam[near, None] * direction
            for option in range(4):
                boundary = np.column_stack(
                    [
                        np.full(points.shape[0], n if option in (1, 3) else -1),
                        order[near] if option in (2, 3) else np.full(points.shape[0], -1),
                    ]
                )
                values[option, near], counts[option, near] = _vertex_cells(problem, points, boundary)
        ends: list[Cell] = []
        for end, inside in ((low, inside_start), (high, offset + high * slope < 0)):
            point = origin + end * direction
            if coinciding and _near(offset, slope, np.array([end]), crossing=0)[0]:
                (value, with_n), (count, count_n) = _vertex_cells(
                    problem, np.array([point, point]), np.array([[-1, -1], [n, -1]])
                )
                ends.append(Cell(float(value), int(count), point, ()))
                ends.append(Cell(float(with_n), int(count_n), point, (n,)))
                continue
            value = float((revenue_origin + end * revenue_slope)[inside].sum())
            count = int(inside.sum())
            ends.append(Cell(value, count, point, ()))
            ends.append(Cell(value + float(gain[n]), count + 1, point, (n,)))
        yield LineVertices(
            line=n,
            points=origin + lam[:, None] * direction,
            crossing=order,
            values=values,
            counts=counts,
            ends=ends,
            at=lam,
            offset=offset,
            slope=slope,
            span=(float(low), float(high)),
            inside_start=inside_start,
        )


#: A vertex is valued trip by trip when another line passes this close to it (in a·p − b), the crossing
#: trip's and the line's own apart: sweep order cannot tell which trips the vertex test counts there.
_NEAR = 1e-8


def _near(offset: np.ndarray, slope: np.ndarray, at: np.ndarray, crossing: int = 1) -> np.ndarray:
    """Per λ in ``at``: whether more than ``crossing`` lines other than the own one pass within _NEAR of it.

    Trip m is within _NEAR where |offset_m + λ slope_m| < _NEAR: an interval of λ around its crossing, or
    everywhere or nowhere when it runs parallel to the line; intervals counted by sorting, O(N log N).
    """
    finite = np.isfinite(offset)
    flat = finite & (slope == 0)
    always = int((np.abs(offset[flat]) < _NEAR).sum())
    moving = finite & (slope != 0)
    centre, reach = -offset[moving] / slope[moving], _NEAR / np.abs(slope[moving])
    starts, stops = np.sort(centre - reach), np.sort(centre + reach)
    inside = np.searchsorted(starts, at, side="right") - np.searchsorted(stops, at, side="left")
    return always + inside > crossing


def _vertex_cells(problem: OperatorProblem, points: np.ndarray, boundary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Revenue (D Σ (a·p − e)) and trip count of the cells at ``points`` counting ``boundary``, as vertex_trips."""
    chosen = vertex_trips(problem, points, boundary)
    revenue = problem.params.days * (problem.trip_revenue(points) * chosen).sum(axis=0)
    return revenue, chosen.sum(axis=0)


def box_corners(problem: OperatorProblem) -> list[Cell]:
    """The cells at the four corners of the price box."""
    params = problem.params
    found: list[Cell] = []
    for ps, pt in (
        (0.0, 0.0),
        (params.price_per_km_max, 0.0),
        (0.0, params.price_per_min_max),
        (params.price_per_km_max, params.price_per_min_max),
    ):
        point = np.array([ps, pt])
        inside = problem.shares(point)
        revenue = problem.trip_revenue(point)[inside].sum()
        found.append(Cell(float(params.days * revenue), int(inside.sum()), point, ()))
    return found


def cell_trips(problem: OperatorProblem, point: np.ndarray, counted: tuple[int, ...]) -> np.ndarray:
    """The sharing trips of the cell at a vertex: those strictly inside plus the boundary trips counted."""
    return vertex_trips(problem, point[None, :], boundary_columns([counted]))[:, 0]


def cells_trips(problem: OperatorProblem, cells: Sequence[Cell]) -> np.ndarray:
    """:func:`cell_trips` of many cells at once: one column of sharing trips per cell."""
    points = np.array([cell.point for cell in cells], dtype=float).reshape(-1, 2)
    return vertex_trips(problem, points, boundary_columns([cell.counted for cell in cells]))


def boundary_columns(counted: Sequence[tuple[int, ...]]) -> np.ndarray:
    """Boundary trips counted as two columns, −1 for none."""
    return np.array([(*trips, -1, -1)[:2] for trips in counted], dtype=int).reshape(-1, 2)


def vertex_trips(
    problem: OperatorProblem, points: np.ndarray, boundary: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """The sharing trips of the cells at vertices ``points`` (one column each) counting ``boundary`` trips too.

    A trip is strictly inside when a·p < b − 1e-9 (eq. (2)–(6) with a margin for the vertex's rounding).
    With ``rows`` (sorted trip numbers) only those trips, in that order: each of their entries is exactly
    the entry of the full matrix, because every entry is a·p computed alone in the same two products and
    one sum (a matrix product could round a subset differently), so counts over the rows are exact.
    """
    rows = np.arange(problem.distance.size) if rows is None else rows
    distance, duration = problem.distance[rows, None], problem.duration[rows, None]
    limit = problem.threshold[rows, None] - 1e-9
    chosen = np.empty((rows.size, points.shape[0]), dtype=bool)
    width = max(128, 2**18 // max(rows.size, 1))  # blocks of cells whose fares stay in cache
    for start in range(0, points.shape[0], width):
        block = points[start : start + width]
        np.less(distance * block[:, 0] + duration * block[:, 1], limit, out=chosen[:, start : start + width])
    columns = np.arange(points.shape[0])
    for trips in boundary.T:
        where = np.searchsorted(rows, trips).clip(0, max(rows.size - 1, 0))
        counted = (trips >= 0) & (rows[where] == trips) if rows.size else np.zeros(trips.size, dtype=bool)
        chosen[where[counted], columns[counted]] = True
    twins = problem.twins
    if twins is not None:  # a boundary trip's twins lie on its line: counted with it
        for trips in boundary.T:
            counted = np.where(trips >= 0, twins[trips.clip(0)], -1)
            chosen |= twins[rows, None] == counted[None, :]
    return chosen


def vertex_response(
    problem: OperatorProblem, point: np.ndarray, counted: tuple[int, ...], subsidies: Subsidies, checked: bool = True
) -> BestResponse | None:
    """The operator at a vertex cell, or None when the cell breaks eq. (11) or (12).

    ``checked=False`` values the cell without the check: the upper level values a supremum at U_O = 0 so.
    """
    chosen = cell_trips(problem, point, counted)
    value = problem.value(chosen, point, subsidies)
    fleet = int(problem.fleet(subsidies, int(chosen.sum())))
    if checked and not (problem.in_use.peaks(chosen) <= in_use_limit(problem.params, fleet) and value > 0):
        return None
    return BestResponse(
        price_per_km=float(point[0]),
        price_per_min=float(point[1]),
        operator=value,
        trips=int(chosen.sum()),
        fleet=fleet,
        supremum=bool(counted),
        method="exact",
        wall_time=0.0,
        chosen=chosen,
    )
