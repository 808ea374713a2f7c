"""The car-sharing operator's best response to given subsidies (seed 003's lower level): exact and MILP.

At fixed subsidies the operator's utility (eq. (10)) for a set C of sharing trips and prices p is

    Π(C, p) = D Σ_{n∈C} (a_n·p − e_n) + m(|C|)·(k1 + ρ − c),    a_n = (s_n, t_n), e_n = s_n W100e Pe/100,

with m(K) = ⌊m0 + εσ + k3 K⌋, ρ the subsidy per vehicle and c the cost per vehicle (capital recovery of
vehicle, infrastructure and parking plus C3·D). Users choose C(p) = {n : a_n·p < b_n} (see
:mod:`evgames.models.subsidy_pricing`), so Π is linear on every cell of the arrangement of the N choice
lines a_n·p = b_n inside the price box, and its supremum over a cell is reached at one of the cell's
vertices.

``method="exact"`` sweeps along every choice line: the other lines cross it at sorted points where one
trip enters or leaves C; at each crossing (a vertex) the four cells around it are valued — both, either
or neither of the two boundary trips counted as sharing, as on each side of the lines — and likewise
where a line meets the box. O(N² log N) in vectorised numpy. The best candidates are then checked
against the fleet-in-use limit n_r(t) ≤ 0.95 m and U_O > 0 in order. The optimum is a *supremum* when
it counts a trip exactly on its choice line (the user is indifferent there and, by the tie rule, takes
the private car): prices a hair inside the cell attain it to any precision.

``method="milp"`` states the same problem algebraically — binary choices with big-M rows in both
directions, McCormick products of price and choice, an integer fleet, fleet-in-use rows — for HiGHS; the
strict inequality of a sharing choice becomes a margin of 1e-7 CNY. It scales to a few hundred trips
and serves as the oracle of the exact method.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from evgames.data.subsidy_pricing import SubsidyPricingParams
from evgames.data.validation import DataError
from evgames.models.subsidy_pricing import (
    capital_recovery,
    choice_thresholds,
    subsidy_per_vehicle,
    vehicles_in_use,
)
from evgames.solvers import SolverConfig
from evgames.solvers import solve as solve_model

if TYPE_CHECKING:  # it builds on this module
    from evgames.models.fleet_limit import FleetLimitedCells

__all__ = [
    "BestResponse",
    "ResponseTable",
    "build_operator_milp",
    "exact_best_response",
    "milp_best_response",
    "operator_value",
]

#: Strict sharing choice a·p < b as a·p ≤ b − MARGIN in the MILP (CNY).
MARGIN = 1e-7


@dataclass(frozen=True)
class BestResponse:
    """The operator's best prices at given subsidies.

    Attributes:
        price_per_km, price_per_min: p_s and p_t (at a supremum: the vertex approached).
        operator: U_O (CNY per year), the supremum where ``supremum`` is true.
        trips: Number of sharing trips counted.
        fleet: m.
        supremum: The value counts a trip exactly on its choice line (see the module docstring).
        method: ``exact`` or ``milp``.
        wall_time: Seconds.
        candidates_checked: Candidates tried before a feasible one (exact method).
        chosen: The sharing trips counted (at a supremum: those of the cell approached).
    """

    price_per_km: float
    price_per_min: float
    operator: float
    trips: int
    fleet: int
    supremum: bool
    method: str
    wall_time: float
    candidates_checked: int = 0
    chosen: np.ndarray | None = None


@dataclass(frozen=True)
class _Terms:
    distance: np.ndarray
    duration: np.ndarray
    threshold: np.ndarray
    energy: np.ndarray
    fleet_base: float
    per_vehicle: float


def _terms(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    vehicle_subsidy: float,
    infrastructure_subsidy: float,
    rounded_crf: bool,
) -> _Terms:
    rate = params.interest_rate
    cost = (
        params.vehicle_cost * capital_recovery(rate, params.vehicle_life, rounded_crf)
        + params.infrastructure_cost * capital_recovery(rate, params.infrastructure_life, rounded_crf)
        + params.parking_ratio
        * params.parking_cost
        * params.parking_area
        * capital_recovery(rate, params.parking_life, rounded_crf)
        + params.operating_cost * params.days
    )
    rho = subsidy_per_vehicle(params, vehicle_subsidy, infrastructure_subsidy, rounded_crf)
    distance = trips["distance_km"].to_numpy(dtype=float)
    return _Terms(
        distance=distance,
        duration=trips["duration_min"].to_numpy(dtype=float),
        threshold=choice_thresholds(params, trips),
        energy=distance * params.ev_energy_per_100km * params.electricity_price / 100.0,
        fleet_base=params.base_fleet + params.subsidy_fleet_response * (vehicle_subsidy + infrastructure_subsidy),
        per_vehicle=params.grid_service_revenue + rho - cost,
    )


def _fleet(terms: _Terms, params: SubsidyPricingParams, count: np.ndarray | int) -> np.ndarray:
    return np.floor(terms.fleet_base + params.usage_fleet_response * np.asarray(count) + 1e-9)


def operator_value(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    chosen: np.ndarray,
    price_per_km: float,
    price_per_min: float,
    vehicle_subsidy: float,
    infrastructure_subsidy: float,
    rounded_crf: bool = False,
) -> float:
    """Π(C, p) for an explicit set C (it need not be the users' choice at p)."""
    terms = _terms(params, trips, vehicle_subsidy, infrastructure_subsidy, rounded_crf)
    revenue = (price_per_km * terms.distance + price_per_min * terms.duration - terms.energy)[chosen].sum()
    return float(params.days * revenue + _fleet(terms, params, int(chosen.sum())) * terms.per_vehicle)


def exact_best_response(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    vehicle_subsidy: float = 0.0,
    infrastructure_subsidy: float = 0.0,
    rounded_crf: bool = False,
    keep: int = 4,
) -> BestResponse:
    """The supremum of U_O over the price box by the sweep of the module docstring.

    Each line keeps its ``keep`` best vertex values; the kept candidates are tried best first. If none
    satisfies the fleet-in-use limit and U_O > 0 before the values fall below the best vertex left out of
    a list, the lists are widened fourfold and the sweep repeated, up to every vertex, so the answer stays
    exact when those constraints bind.
    """
    start_time = time.perf_counter()
    checked_total = 0
    while True:
        found, checked, exhaustive = _sweep(params, trips, vehicle_subsidy, infrastructure_subsidy, rounded_crf, keep)
        checked_total += checked
        if found is not None:
            ps, pt, chosen, counted, value, fleet = found
            return BestResponse(
                price_per_km=ps,
                price_per_min=pt,
                operator=value,
                trips=int(chosen.sum()),
                fleet=fleet,
                supremum=bool(counted),
                method="exact",
                wall_time=time.perf_counter() - start_time,
                candidates_checked=checked_total,
                chosen=chosen,
            )
        if exhaustive:
            raise DataError(
                "subsidies",
                (vehicle_subsidy, infrastructure_subsidy),
                "no feasible price pair: every cell breaks the fleet-in-use limit or has U_O <= 0",
            )
        keep *= 4


@dataclass(frozen=True)
class _LineVertices:
    """Vertex data of one choice line n: the cells met along it, without the fleet term.

    ``values[k]`` and ``counts[k]`` (k = 0..3) hold, for every crossing, the revenue part
    D Σ (a·p − e) and the trip count of the cell that counts neither, n, the crossing trip, or both of
    the two boundary trips; ``ends`` lists the box-boundary candidates (value, count, point, counted).
    """

    line: int
    points: np.ndarray  # (events, 2)
    crossing: np.ndarray  # trip crossing line n at each event
    values: np.ndarray  # (4, events)
    counts: np.ndarray  # (4, events)
    ends: list[Candidate]


_OPTIONS: tuple[tuple[str, ...], ...] = ((), ("n",), ("m",), ("n", "m"))

#: A candidate: revenue part, trip count, price point, trips counted on their own choice line.
Candidate = tuple[float, int, np.ndarray, tuple[int, ...]]


def _line_vertices(params: SubsidyPricingParams, trips: pd.DataFrame) -> Iterator[_LineVertices]:
    """Sweep every choice line clipped to the price box (see the module docstring)."""
    terms = _terms(params, trips, 0.0, 0.0, False)  # the arrangement does not depend on the subsidies
    a = np.column_stack([terms.distance, terms.duration])
    b = terms.threshold
    days = params.days
    upper = np.array([params.price_per_km_max, params.price_per_min_max])
    gain = days * (b - terms.energy)  # revenue of a trip counted on its own choice line
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
        revenue_origin = days * (a @ origin - terms.energy)
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
        ends: list[Candidate] = []
        for end, inside in ((low, inside_start), (high, offset + high * slope < 0)):
            value = float((revenue_origin + end * revenue_slope)[inside].sum())
            count = int(inside.sum())
            point = origin + end * direction
            ends.append((value, count, point, ()))
            ends.append((value + float(gain[n]), count + 1, point, (n,)))
        yield _LineVertices(
            line=n, points=origin + lam[:, None] * direction, crossing=order, values=values, counts=counts, ends=ends
        )


def _counted(vertices: _LineVertices, option: int, event: int) -> tuple[int, ...]:
    return tuple(vertices.line if member == "n" else int(vertices.crossing[event]) for member in _OPTIONS[option])


def _corners(params: SubsidyPricingParams, trips: pd.DataFrame) -> list[Candidate]:
    terms = _terms(params, trips, 0.0, 0.0, False)
    a = np.column_stack([terms.distance, terms.duration])
    found: list[Candidate] = []
    for ps, pt in (
        (0.0, 0.0),
        (params.price_per_km_max, 0.0),
        (0.0, params.price_per_min_max),
        (params.price_per_km_max, params.price_per_min_max),
    ):
        inside = a @ np.array([ps, pt]) < terms.threshold
        revenue = (ps * terms.distance + pt * terms.duration - terms.energy)[inside].sum()
        found.append((float(params.days * revenue), int(inside.sum()), np.array([ps, pt]), ()))
    return found


def _cell_trips(terms: _Terms, point: np.ndarray, counted: tuple[int, ...]) -> np.ndarray:
    """The sharing trips of the cell at a vertex: those strictly inside plus the boundary trips counted."""
    return _cells_trips(terms, point[None, :], [counted])[:, 0]


def _cells_trips(terms: _Terms, points: np.ndarray, counted: Sequence[tuple[int, ...]]) -> np.ndarray:
    """:func:`_cell_trips` of many vertices at once: one column of sharing trips per row of ``points``."""
    chosen = np.empty((terms.distance.size, points.shape[0]), dtype=bool)
    per_trip = np.column_stack([terms.distance, terms.duration])
    limit = terms.threshold[:, None] - 1e-9
    for start in range(0, points.shape[0], 128):  # blocks that stay in cache
        np.less(per_trip @ points[start : start + 128].T, limit, out=chosen[:, start : start + 128])
    for column, boundary in enumerate(counted):
        chosen[list(boundary), column] = True
    return chosen


def _feasible(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    point: np.ndarray,
    counted: tuple[int, ...],
    vehicle_subsidy: float,
    infrastructure_subsidy: float,
    rounded_crf: bool,
    checked: bool = True,
):
    """The set at a candidate, its value and fleet, or None when it breaks eq. (11) or (12).

    ``checked=False`` skips the check: the upper level values a supremum at U_O = 0 that way.
    """
    terms = _terms(params, trips, vehicle_subsidy, infrastructure_subsidy, rounded_crf)
    chosen = _cell_trips(terms, point, counted)
    value = operator_value(
        params, trips, chosen, float(point[0]), float(point[1]), vehicle_subsidy, infrastructure_subsidy, rounded_crf
    )
    fleet = int(_fleet(terms, params, int(chosen.sum())))
    if not checked or (vehicles_in_use(trips, chosen) <= params.in_use_share * fleet and value > 0):
        return chosen, value, fleet
    return None


def _sweep(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    vehicle_subsidy: float,
    infrastructure_subsidy: float,
    rounded_crf: bool,
    keep: int,
) -> tuple[tuple | None, int, bool]:
    """One sweep keeping ``keep`` vertex candidates per line; returns (best feasible, checked, exhaustive)."""
    terms = _terms(params, trips, vehicle_subsidy, infrastructure_subsidy, rounded_crf)

    def fleet_value(count: np.ndarray) -> np.ndarray:
        return _fleet(terms, params, count) * terms.per_vehicle

    exhaustive = True
    unkept = -np.inf  # no vertex left out of the lists is worth more than this
    candidates: list[tuple[float, np.ndarray, tuple[int, ...]]] = []  # value, point, boundary trips counted
    for vertices in _line_vertices(params, trips):
        for value, count, point, counted in vertices.ends:
            candidates.append((value + float(fleet_value(np.asarray(count))), point, counted))
        if vertices.values.shape[1]:
            totals = vertices.values + fleet_value(vertices.counts)
            exhaustive = exhaustive and keep >= totals.size
            order = np.argsort(totals, axis=None)
            if totals.size > keep:
                unkept = max(unkept, float(totals.flat[order[-keep - 1]]))
            for flat in order[-keep:]:
                option, event = divmod(int(flat), totals.shape[1])
                candidates.append(
                    (float(totals[option, event]), vertices.points[event], _counted(vertices, option, event))
                )
    for value, count, point, counted in _corners(params, trips):
        candidates.append((value + float(fleet_value(np.asarray(count))), point, counted))
    candidates.sort(key=lambda item: item[0], reverse=True)
    if candidates[0][0] <= 0:  # the best of all cells, eq. (11) aside, cannot break even: nothing can
        return None, 1, True
    for checked, (total, point, counted) in enumerate(candidates, start=1):
        if total < unkept:  # a vertex left out may be better and feasible: widen the lists
            return None, checked, False
        found = _feasible(params, trips, point, counted, vehicle_subsidy, infrastructure_subsidy, rounded_crf)
        if found is not None:
            chosen, value, fleet = found
            return (float(point[0]), float(point[1]), chosen, counted, value, fleet), checked, exhaustive
    return None, len(candidates), exhaustive


class ResponseTable:
    """The operator's best response to *any* subsidies from one sweep.

    Subsidies change only the fleet term m(K)·(k1 + ρ − c), a function of the trip count K. One sweep
    records, for every K, the best revenue part D Σ (a·p − e) of any cell with K trips and where it is;
    the response to (Sc1, Sc2) is then the best K of R*(K) + m(K)·(k1 + ρ − c), an O(N) maximisation.
    The winner is checked against eq. (11)–(12); if it breaks the fleet-in-use limit, each count's best
    cell within its limit decides (:func:`~evgames.models.fleet_limit.best_response_within_limits`), so
    the answer is always exact.
    """

    def __init__(self, params: SubsidyPricingParams, trips: pd.DataFrame, rounded_crf: bool = False) -> None:
        self.params, self.trips, self.rounded_crf = params, trips, rounded_crf
        self.choice_terms = _terms(params, trips, 0.0, 0.0, False)  # choice lines: no subsidy or fleet in them
        size = len(trips) + 3
        self.best = np.full(size, -np.inf)
        self.points = np.zeros((size, 2))
        self.counted: list[tuple[int, ...]] = [()] * size

        def record(value: float, count: int, point: np.ndarray, counted: tuple[int, ...]) -> None:
            if value > self.best[count]:
                self.best[count], self.points[count], self.counted[count] = value, point, counted

        for vertices in _line_vertices(params, trips):
            for candidate in vertices.ends:
                record(*candidate)
            if not vertices.values.shape[1]:
                continue
            flat_values, flat_counts = vertices.values.ravel(), vertices.counts.ravel()
            order = np.lexsort((-flat_values, flat_counts))
            first = np.r_[True, flat_counts[order][1:] != flat_counts[order][:-1]]
            for index in order[first]:
                count = int(flat_counts[index])
                if flat_values[index] > self.best[count]:
                    option, event = divmod(int(index), vertices.values.shape[1])
                    record(float(flat_values[index]), count, vertices.points[event], _counted(vertices, option, event))
        for candidate in _corners(params, trips):
            record(*candidate)
        #: the best cell of each count under fleet-in-use limits, built when eq. (11) first removes a cell
        self.limited: FleetLimitedCells | None = None

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

    def with_params(self, params: SubsidyPricingParams) -> ResponseTable:
        """The table for other parameters: shared when only fleet and cost parameters differ, else rebuilt."""
        if any(getattr(params, name) != getattr(self.params, name) for name in self.ARRANGEMENT):
            return ResponseTable(params, self.trips, self.rounded_crf)
        table = copy.copy(self)
        table.params, table.limited = params, None
        return table

    def respond(self, vehicle_subsidy: float = 0.0, infrastructure_subsidy: float = 0.0) -> BestResponse:
        """The operator's best response to the subsidies (exact; see the class docstring)."""
        start_time = time.perf_counter()
        terms = _terms(self.params, self.trips, vehicle_subsidy, infrastructure_subsidy, self.rounded_crf)
        counts = np.arange(self.best.size)
        totals = self.best + _fleet(terms, self.params, counts) * terms.per_vehicle
        count = int(np.argmax(totals))
        if totals[count] <= 0:  # the best of all cells, eq. (11) aside, cannot break even: nothing can
            raise DataError(
                "subsidies",
                (vehicle_subsidy, infrastructure_subsidy),
                f"no price pair gives U_O > 0 (eq. (12)): the best is {totals[count]:.6g}",
            )
        response = self.cell(count, vehicle_subsidy, infrastructure_subsidy)
        if response is None:  # eq. (11) removes the cell: the best within every count's limit decides
            from evgames.models.fleet_limit import best_response_within_limits  # it builds on this module

            response = best_response_within_limits(self, vehicle_subsidy, infrastructure_subsidy)
        return replace(response, wall_time=time.perf_counter() - start_time)

    def chosen(self, count: int, cell: Candidate | None = None) -> np.ndarray:
        """The sharing trips of the best cell with ``count`` trips (or of the given vertex cell)."""
        return _cell_trips(self.choice_terms, *self._vertex(count, cell))

    def _vertex(self, count: int, cell: Candidate | None) -> tuple[np.ndarray, tuple[int, ...]]:
        """Point and boundary trips counted of the given cell, or of the best one with ``count`` trips."""
        return (self.points[count], self.counted[count]) if cell is None else (cell[2], cell[3])

    def cell(
        self,
        count: int,
        vehicle_subsidy: float,
        infrastructure_subsidy: float,
        checked: bool = True,
        cell: Candidate | None = None,
    ) -> BestResponse | None:
        """The operator at the best cell with ``count`` trips (or the given vertex cell); None breaks (11)/(12).

        ``checked=False`` values the cell without the check (at a supremum where U_O = 0).
        """
        start_time = time.perf_counter()
        point, counted = self._vertex(count, cell)
        found = _feasible(
            self.params, self.trips, point, counted, vehicle_subsidy, infrastructure_subsidy, self.rounded_crf, checked
        )
        if found is None:
            return None
        chosen, value, fleet = found
        return BestResponse(
            price_per_km=float(point[0]),
            price_per_min=float(point[1]),
            operator=value,
            trips=int(chosen.sum()),
            fleet=fleet,
            supremum=bool(counted),
            method="exact",
            wall_time=time.perf_counter() - start_time,
            chosen=chosen,
        )

    def chosen_many(self, cells: Sequence[Candidate]) -> np.ndarray:
        """The sharing trips of many vertex cells: one column per cell."""
        points = np.array([cell[2] for cell in cells], dtype=float).reshape(-1, 2)
        return _cells_trips(self.choice_terms, points, [cell[3] for cell in cells])

    def top_cells(
        self, floors: Mapping[int, float], depths: Mapping[int, int] | None = None
    ) -> dict[int, tuple[list[Candidate], float]]:
        """For each trip count K, every vertex cell worth at least ``floors[K]``, best revenue first.

        With ``depths``, only the best ``depths[K]`` of them (and any tied with the last). With each list comes
        a bound: less than it is what any cell left out is worth (−inf when none is left out: the list
        holds every cell with K trips). The supremum of a cell is reached at one of its
        vertices, so walking a list finds the best cell under an extra condition on its trips — the
        fleet-in-use limit of eq. (11), which the table ignores. One sweep of the arrangement.
        """
        shortlist = _Shortlist(self.best.size, floors, depths)
        for vertices in _line_vertices(self.params, self.trips):
            shortlist.offer_candidates(vertices.ends)
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
        shortlist.offer_candidates(_corners(self.params, self.trips))
        return shortlist.lists()


class _Shortlist:
    """The vertex candidates of each wanted trip count worth at least its floor (see :meth:`ResponseTable.top_cells`).

    With depths, once the candidates kept outgrow a budget each count is cut back to its depth, and its
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
        """Positions of the candidates to keep; the counts of the others are marked as not complete."""
        keep = values >= self.floor[counts]
        self.dropped[counts[self.asked[counts] & ~keep]] = True
        return np.flatnonzero(keep)

    def add(self, values, counts, points, first, second) -> None:
        self.parts.append((values, counts, points[:, 0], points[:, 1], first, second))
        self.kept += len(values)
        if self.cuts and self.kept > self.budget:
            self._cut()

    def _sorted(self) -> list[np.ndarray]:
        """The candidates kept, by count and then by falling value."""
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

    def offer_candidates(self, candidates: Sequence[Candidate]) -> None:
        values = np.array([item[0] for item in candidates], dtype=float)
        counts = np.array([item[1] for item in candidates], dtype=int)
        keep = self.wanted(values, counts)
        if keep.size:
            points = np.array([candidates[index][2] for index in keep], dtype=float)
            boundary = np.array([(*candidates[index][3], -1, -1)[:2] for index in keep], dtype=int)
            self.add(values[keep], counts[keep], points, boundary[:, 0], boundary[:, 1])

    def lists(self) -> dict[int, tuple[list[Candidate], float]]:
        if self.parts and self.cuts:
            self._cut()
        found: dict[int, tuple[list[Candidate], float]] = {
            int(count): ([], float(self.floor[count]) if self.dropped[count] else -np.inf)
            for count in np.flatnonzero(self.asked)
        }
        if self.parts:
            value, count, ps, pt, first, second = self._sorted()
            for index in range(value.size):
                counted = tuple(int(trip) for trip in (first[index], second[index]) if trip >= 0)
                point = np.array([ps[index], pt[index]])
                found[int(count[index])][0].append((float(value[index]), int(count[index]), point, counted))
        return found


def build_operator_milp(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    vehicle_subsidy: float = 0.0,
    infrastructure_subsidy: float = 0.0,
    rounded_crf: bool = False,
) -> pyo.ConcreteModel:
    """The operator's problem as a Pyomo MILP (see the module docstring)."""
    terms = _terms(params, trips, vehicle_subsidy, infrastructure_subsidy, rounded_crf)
    count = len(terms.threshold)
    ps_max, pt_max = params.price_per_km_max, params.price_per_min_max
    start = np.floor(trips["start_min"].to_numpy(dtype=float)).astype(int) % 1440
    length = np.ceil(trips["duration_min"].to_numpy(dtype=float)).astype(int).clip(1, 1440)
    model = pyo.ConcreteModel(name="operator best response (seed 003 lower level)")
    model.trips = pyo.RangeSet(0, count - 1)
    model.price_per_km = pyo.Var(bounds=(0, ps_max), doc="p_s")
    model.price_per_min = pyo.Var(bounds=(0, pt_max), doc="p_t")
    model.shared = pyo.Var(model.trips, domain=pyo.Binary, doc="x_n1: trip n takes a shared EV")
    model.km_revenue = pyo.Var(model.trips, bounds=(0, ps_max), doc="p_s x_n (McCormick)")
    model.min_revenue = pyo.Var(model.trips, bounds=(0, pt_max), doc="p_t x_n (McCormick)")
    model.fleet = pyo.Var(domain=pyo.NonNegativeIntegers, doc="m")
    s, t, b = terms.distance, terms.duration, terms.threshold
    big_share = s * ps_max + t * pt_max - b + MARGIN
    model.shares_below_threshold = pyo.Constraint(
        model.trips,
        rule=lambda m, n: (
            s[n] * m.price_per_km + t[n] * m.price_per_min - b[n]
            <= big_share[n] * (1 - m.shared[n]) - MARGIN * m.shared[n]
        ),
        doc="x = 1 => a.p <= b - margin",
    )
    model.private_at_or_above = pyo.Constraint(
        model.trips,
        rule=lambda m, n: s[n] * m.price_per_km + t[n] * m.price_per_min - b[n] >= -np.maximum(b[n], 0.0) * m.shared[n],
        doc="x = 0 => a.p >= b (ties take the private car)",
    )
    model.km_upper_choice = pyo.Constraint(model.trips, rule=lambda m, n: m.km_revenue[n] <= ps_max * m.shared[n])
    model.km_upper_price = pyo.Constraint(model.trips, rule=lambda m, n: m.km_revenue[n] <= m.price_per_km)
    model.km_lower = pyo.Constraint(
        model.trips, rule=lambda m, n: m.km_revenue[n] >= m.price_per_km - ps_max * (1 - m.shared[n])
    )
    model.min_upper_choice = pyo.Constraint(model.trips, rule=lambda m, n: m.min_revenue[n] <= pt_max * m.shared[n])
    model.min_upper_price = pyo.Constraint(model.trips, rule=lambda m, n: m.min_revenue[n] <= m.price_per_min)
    model.min_lower = pyo.Constraint(
        model.trips, rule=lambda m, n: m.min_revenue[n] >= m.price_per_min - pt_max * (1 - m.shared[n])
    )
    k3 = params.usage_fleet_response
    model.fleet_floor_upper = pyo.Constraint(
        expr=model.fleet <= terms.fleet_base + k3 * sum(model.shared[n] for n in model.trips)
    )
    model.fleet_floor_lower = pyo.Constraint(
        expr=model.fleet >= terms.fleet_base - 1 + 1e-6 + k3 * sum(model.shared[n] for n in model.trips)
    )

    def active(minute: int) -> list[int]:
        return [k for k in range(count) if (minute - start[k]) % 1440 < length[k]]

    minutes = sorted(set(start.tolist()))  # occupancy peaks at some trip's start
    model.in_use = pyo.Constraint(
        minutes,
        rule=lambda m, minute: sum(m.shared[k] for k in active(minute)) <= params.in_use_share * m.fleet,
        doc="n_r(t) <= 0.95 m",
    )
    utility = (
        params.days
        * sum(
            s[n] * model.km_revenue[n] + t[n] * model.min_revenue[n] - terms.energy[n] * model.shared[n]
            for n in model.trips
        )
        + terms.per_vehicle * model.fleet
    )
    model.profitable = pyo.Constraint(expr=utility >= 1e-6, doc="U_O > 0 (eq. 12)")
    model.operator = pyo.Objective(expr=utility, sense=pyo.maximize, doc="U_O (eq. 10) at fixed subsidies")
    return model


def milp_best_response(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    vehicle_subsidy: float = 0.0,
    infrastructure_subsidy: float = 0.0,
    rounded_crf: bool = False,
    solver: str | SolverConfig | None = None,
) -> BestResponse:
    """Solve :func:`build_operator_milp` (HiGHS unless configured) and report like the exact method."""
    start_time = time.perf_counter()
    model = build_operator_milp(params, trips, vehicle_subsidy, infrastructure_subsidy, rounded_crf)
    options = {"mip_rel_gap": 1e-9} if solver is None else None
    result = solve_model(model, solver, options, default="highs")
    chosen = np.array([model.shared[n].value > 0.5 for n in model.trips])
    return BestResponse(
        price_per_km=float(model.price_per_km.value),
        price_per_min=float(model.price_per_min.value),
        operator=float(result.objective),
        trips=int(chosen.sum()),
        fleet=round(model.fleet.value),
        supremum=False,
        method="milp",
        wall_time=time.perf_counter() - start_time,
        chosen=chosen,
    )
