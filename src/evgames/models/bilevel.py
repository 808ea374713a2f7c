"""Seed 003's upper level: the government's exact optimum over subsidy rates.

**Through which scalars the subsidies reach the operator.** At given subsidies the operator maximises
(see :mod:`evgames.models.operator_response`)

    R*(K) + m(K, σ)·(w0 + ρ),   m(K, σ) = ⌊m0 + εσ + k3 K⌋,   w0 = k1 − c,

over the trip count K, where R*(K) is the best fare revenue of any price cell with K trips (one
:class:`~evgames.models.operator_response.ResponseTable`), σ = Sc1 + Sc2 (eq. (17)) and
ρ = α Sc1 + β Sc2 the yearly subsidy per vehicle, α = C1 CRF(kc), β = C2 CRF(ki). Nothing else of
(Sc1, Sc2) enters: the government chooses a point of the parallelogram {(σ, ρ)} the subsidy box maps to.

**Regions.** The floors change only at the breakpoints σ where m0 + εσ + k3 K is an integer. Between two
breakpoints (a *strip*) every m(K) is fixed, and the operator's value is the upper envelope of the lines
A_K + m_K ρ (A_K = R*(K) + m_K w0): a few intervals of ρ, each with one response K. On such a region the
government's utility (eq. (9)) is U_G = E(C_K) + P(C_K) − m_K ρ: fixed but for the outlay, so it is largest
at the smallest ρ the region allows — the envelope breakpoint below, the cheapest subsidy ρmin(σ) at the
strip's left end (floors are right-continuous, so that end belongs to the strip), or the ρ where U_O
becomes positive (eq. (12)). :func:`government_optimum` enumerates those corners: O(strips × lines),
exact.

**Suprema.** At an envelope breakpoint the operator is indifferent between two responses and, by the
table's rule, takes the one with fewer trips; at U_O = 0 the operator does not operate (eq. (12) is
strict). A corner of either kind is a *supremum*: subsidies a hair higher attain it to any precision.
The result says so and why.

**The fleet-in-use limit.** R*(K) ignores eq. (11). In every strip each count takes its best cell within
that strip's limit 0.95 m_K (:class:`~evgames.models.fleet_limit.FleetLimitedCells`), known exactly where
the count's cells have been walked far enough and otherwise as an upper bound. A count whose bound is on
the envelope where the government could choose is walked further and the search runs again; a bound
line that is not on the envelope cannot hide a response (the count's true line lies below it), so the
result stays exact.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from evgames.data.subsidy_pricing import SubsidyPricingParams
from evgames.data.validation import DataError
from evgames.models.fleet_limit import FleetLimitedCells
from evgames.models.operator_response import BestResponse, ResponseTable, _terms
from evgames.models.subsidy_pricing import Outcome, evaluate, fleet_size, subsidy_per_vehicle

__all__ = ["METHODS", "BilevelResult", "government_optimum", "outcome_at"]

#: Upper-level methods of :func:`government_optimum`.
METHODS = ("exact", "grid")


@dataclass(frozen=True)
class BilevelResult:
    """The government's best subsidies, the operator's response and every reported figure.

    Attributes:
        outcome: Every figure at the subsidies and the operator's response.
        response: The operator's exact best response there.
        method: ``exact`` (regions) or ``grid``.
        resolution: Grid spacing of the subsidy rates (0 for the exact method).
        evaluations: Regions valued (exact) or subsidy pairs tried (grid).
        wall_time: Seconds, the response table included.
        supremum: The government's value is a supremum (see the module docstring).
        note: Why it is a supremum.
        in_use_checks: Price cells whose vehicles in use were counted for eq. (11) (exact method).
        sweeps: Extra sweeps of the arrangement that listed cells for eq. (11) (exact method).
        rounds: Looks at a strip's envelope, over all strips and passes (exact method): each walked a cell,
            set a count aside or settled the strip.
    """

    outcome: Outcome
    response: BestResponse
    resolution: float
    evaluations: int
    wall_time: float
    method: str = "grid"
    supremum: bool = False
    note: str = ""
    in_use_checks: int = 0
    sweeps: int = 0
    rounds: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain record."""
        return {
            **self.outcome.to_dict(),
            "supremum": self.response.supremum,
            "upper_method": self.method,
            "upper_supremum": self.supremum,
            "upper_note": self.note,
            "grid_resolution": self.resolution,
            "evaluations": self.evaluations,
            "in_use_checks": self.in_use_checks,
            "sweeps": self.sweeps,
            "rounds": self.rounds,
            "wall_time": self.wall_time,
        }


def outcome_at(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    response: BestResponse,
    vehicle_subsidy: float,
    infrastructure_subsidy: float,
    rounded_crf: bool = False,
) -> Outcome:
    """Every figure at the operator's response, on the trips it counts (at a supremum: the cell's)."""
    return evaluate(
        params,
        trips,
        response.price_per_km,
        response.price_per_min,
        vehicle_subsidy,
        infrastructure_subsidy,
        rounded_crf,
        shared=response.chosen,
    )


def government_optimum(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    rounded_crf: bool = False,
    method: str = "exact",
    step: float = 0.01,
    refine: float = 0.001,
    progress: bool = False,
    table: ResponseTable | None = None,
) -> BilevelResult:
    """Maximise U_G over the subsidy box against the operator's exact response (see the module docstring).

    ``method="grid"`` tries every pair on a ``step`` grid, then a ``refine`` grid around the best: a
    cross-check of the exact method.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    start = time.perf_counter()
    if table is None:
        table = ResponseTable(params, trips, rounded_crf)
    elif table.rounded_crf != rounded_crf or len(table.trips) != len(trips):
        raise ValueError("the response table was built for other trips or another capital recovery reading")
    else:
        table = table.with_params(params)  # shared when it fits, rebuilt when the choice lines differ
    if method == "exact":
        return _timed(_RegionSearch(params, trips, table, rounded_crf).run(progress), start)
    return _timed(_grid_optimum(params, trips, table, rounded_crf, step, refine, progress), start)


def _timed(result: BilevelResult, start: float) -> BilevelResult:
    return BilevelResult(**{**result.__dict__, "wall_time": time.perf_counter() - start})


class _Corner(NamedTuple):
    """The best point of one region: U_G there, (σ, ρ), the operator's trip count and fleet, why a supremum."""

    government: float
    sigma: float
    rho: float
    trips: int
    fleet: int
    reason: str
    entry: int  # the response cell: its place in the count's list (see FleetLimitedCells)


class _Strip(NamedTuple):
    """A strip of σ: its left end (attained), the subsidy per vehicle ρ it allows, and the next strip's start."""

    sigma: float
    lowest: float  # ρmin at the left end
    dearest: float  # ρmax at the right end
    end: float | None  # None for the last strip (closed at σmax)


class _RegionSearch:
    """The exact upper level of the module docstring."""

    def __init__(
        self, params: SubsidyPricingParams, trips: pd.DataFrame, table: ResponseTable, rounded_crf: bool
    ) -> None:
        self.params, self.trips, self.table, self.rounded_crf = params, trips, table, rounded_crf
        self.vehicle_rate = subsidy_per_vehicle(params, 1.0, 0.0, rounded_crf)  # α
        self.infrastructure_rate = subsidy_per_vehicle(params, 0.0, 1.0, rounded_crf)  # β
        self.caps = (params.vehicle_subsidy_max, params.infrastructure_subsidy_max)
        self.sigma_max = self.caps[0] + self.caps[1]
        self.rho_max = self.vehicle_rate * self.caps[0] + self.infrastructure_rate * self.caps[1]
        #: (rate, cap) of the subsidy that costs less per unit of σ, then of the other one
        self.cheap, self.dear = sorted([(self.vehicle_rate, self.caps[0]), (self.infrastructure_rate, self.caps[1])])
        self.margin = _terms(params, trips.iloc[:0], 0.0, 0.0, rounded_crf).per_vehicle  # w0 = k1 − c
        self.benefits: dict[tuple, float] = {}  # E + P of a response cell
        self.counts = np.flatnonzero(np.isfinite(table.best))
        self.limited = FleetLimitedCells(table, self.counts, self._limits(0.0, self.counts))
        self.rounds = 0  # looks at a strip's envelope (see _strip_corners)

    # -- the parallelogram the subsidy box maps to -----------------------------------------------------
    def _rho_bounds(self, sigma: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """ρmin(σ), ρmax(σ): the cheapest and dearest subsidy per vehicle with Sc1 + Sc2 = σ."""
        (cheap, cheap_cap), (dear, dear_cap) = self.cheap, self.dear
        sigma = np.asarray(sigma, dtype=float)
        low = cheap * np.minimum(sigma, cheap_cap) + dear * np.maximum(sigma - cheap_cap, 0.0)
        high = dear * np.minimum(sigma, dear_cap) + cheap * np.maximum(sigma - dear_cap, 0.0)
        return low, high

    def _rates(self, sigma: float, rho: float) -> tuple[float, float]:
        """(Sc1, Sc2) with Sc1 + Sc2 = σ and α Sc1 + β Sc2 = ρ, inside the box."""
        low_first, high_first = max(0.0, sigma - self.caps[1]), min(self.caps[0], sigma)
        if abs(self.vehicle_rate - self.infrastructure_rate) > 1e-12 * max(self.vehicle_rate, 1.0):
            first = (rho - self.infrastructure_rate * sigma) / (self.vehicle_rate - self.infrastructure_rate)
        else:
            first = high_first
        first = min(max(first, low_first), high_first)
        return first, min(max(sigma - first, 0.0), self.caps[1])

    # -- strips ------------------------------------------------------------------------------------------
    def _fleets(self, sigma: float, counts: np.ndarray) -> np.ndarray:
        """m(K, σ) of eq. (17): only σ = Sc1 + Sc2 enters."""
        return fleet_size(self.params, sigma, 0.0, counts)

    def _limits(self, sigma: float, counts: np.ndarray) -> np.ndarray:
        """The most vehicles in use each count's fleet allows at σ (eq. (11))."""
        return self.params.in_use_share * self._fleets(sigma, counts)

    def _strips(self, counts: np.ndarray) -> np.ndarray:
        """Left ends of the strips: 0 and every σ in the box where some m(K, σ) steps up."""
        params = self.params
        slope = params.subsidy_fleet_response
        if slope <= 0:
            return np.zeros(1)
        offset = params.base_fleet + params.usage_fleet_response * counts + 1e-9
        first = np.floor(offset) + 1
        steps = (np.floor(offset + slope * self.sigma_max) - first + 1).clip(0).astype(int)
        integers = np.repeat(first, steps) + (np.arange(steps.sum()) - np.repeat(np.cumsum(steps) - steps, steps))
        breaks = (integers - np.repeat(offset, steps)) / slope
        ends = np.unique(np.concatenate([[0.0], breaks[(breaks > 0) & (breaks <= self.sigma_max)]]))
        fixed = []
        for index, sigma in enumerate(ends):  # float rounding may put a computed step just before the jump
            after = ends[index + 1] if index + 1 < len(ends) else self.sigma_max
            middle = self._fleets(0.5 * (sigma + after), counts) if after > sigma else self._fleets(sigma, counts)
            while sigma < after and not np.array_equal(self._fleets(sigma, counts), middle):
                sigma = np.nextafter(sigma, np.inf)
            fixed.append(sigma)
        return np.unique(fixed)

    # -- the operator's responses -----------------------------------------------------------------------
    def _candidates(self) -> np.ndarray:
        """Positions in ``self.counts`` of the trip counts that can be a response somewhere in the box.

        With w = w0 + ρ ≤ w_max < 0 everywhere, K loses to any K' < K with R*(K') ≥ R*(K) (its fleet is
        no larger) and to any K' with R*(K) − R*(K') ≤ (k3 (K − K') − 1)·|w_max| (its fleet is at least
        ⌊k3 (K − K')⌋ > k3 (K − K') − 1 vehicles larger) — provided K' earns R*(K') under every fleet limit
        (eq. (11)); K's own revenue can only be less than R*(K).
        """
        counts = self.counts
        highest_margin = self.margin + self.rho_max
        if highest_margin >= 0:
            return np.arange(counts.size)
        values = self.table.best[counts]
        adjusted = values + self.params.usage_fleet_response * counts * highest_margin
        rival = np.where(self.limited.unlimited, values, -np.inf)
        rival_adjusted = np.where(self.limited.unlimited, adjusted, -np.inf)
        previous_best = np.maximum.accumulate(np.r_[-np.inf, rival[:-1]])
        previous_adjusted = np.maximum.accumulate(np.r_[-np.inf, rival_adjusted[:-1]])
        keep = (values > previous_best) & (adjusted - highest_margin > previous_adjusted)
        return np.flatnonzero(keep)

    def _figures(self, count: int, entry: int) -> tuple[float, int]:
        """E + P (independent of the subsidies) and the vehicles in use of a response cell with K trips."""
        _, _, point, counted = cell = self.limited.cell(count, entry)
        key = (count, float(point[0]), float(point[1]), counted)
        if key not in self.benefits:
            chosen = self.table.chosen(count, cell)
            outcome = evaluate(self.params, self.trips, 0.0, 0.0, rounded_crf=self.rounded_crf, shared=chosen)
            self.benefits[key] = outcome.environmental + outcome.parking
        return self.benefits[key], self.limited.vehicles(count, entry)

    def _envelope(self, revenues: np.ndarray, fleets: np.ndarray, low: float, high: float):
        """The pieces (line, m_K, A_K, ρ from, ρ to) of the operator's upper envelope on [low, high]."""
        intercepts = revenues + fleets * self.margin
        usable = np.flatnonzero(np.isfinite(intercepts))
        order = usable[np.lexsort((-intercepts[usable], fleets[usable]))]  # by slope, best intercept first
        first = np.r_[True, fleets[order][1:] != fleets[order][:-1]]
        lines = order[first]
        # Python floats: the hull walks one line at a time, where numpy scalars cost more than the arithmetic
        hull: list[tuple[int, float, float]] = []  # (line, slope m_K, intercept A_K)
        for line, slope, intercept in zip(lines.tolist(), fleets[lines].tolist(), intercepts[lines].tolist()):
            while len(hull) >= 2 and _crossing(hull[-2], (line, slope, intercept)) <= _crossing(hull[-2], hull[-1]):
                hull.pop()  # slopes increase: the classic upper hull of lines
            hull.append((line, slope, intercept))
        pieces = []
        for position, (line, slope, intercept) in enumerate(hull):
            start = _crossing(hull[position - 1], hull[position]) if position else -math.inf
            end = _crossing(hull[position], hull[position + 1]) if position + 1 < len(hull) else math.inf
            if end < low or start > high or end < start:
                continue
            pieces.append((line, slope, intercept, start, end))
        return pieces

    # -- the search --------------------------------------------------------------------------------------
    def run(self, progress: bool) -> BilevelResult:
        """The best region corner (see the module docstring).

        A strip whose envelope holds a count known only by a bound walks that count's listed cells; a count
        whose listed cells run out is set aside in that strip and the cells it needs are listed for the
        next pass (one sweep for all such counts), until a pass settles every strip.

        The passes end: a count is set aside only with its revenue bound above the floor it is listed down
        to, so the sweep lists more of its cells or lowers its bound to that floor. The floor a strip asks of
        a count never falls from pass to pass (more counts known exactly only raise the envelope), so the
        count is set aside again only if its list was cut short — it grows ``growth``-fold — or by a strip
        that had not asked for it yet.
        """
        positions = self._candidates()
        while True:
            found = self._pass(positions, progress)
            if isinstance(found, BilevelResult):
                return found
            self.limited.fetch(found)

    def _pass(self, positions: np.ndarray, progress: bool) -> BilevelResult | dict[int, float]:
        counts = self.counts[positions]
        strips = self._strips(counts)
        lowest, _ = self._rho_bounds(strips)
        _, dearest = self._rho_bounds(np.r_[strips[1:], self.sigma_max])
        best: _Corner | None = None
        floors: dict[int, float] = {}  # count -> the revenue down to which its cells must be listed
        regions = 0
        for index in tqdm(range(len(strips)), desc="subsidy regions", disable=not progress):
            following = float(strips[index + 1]) if index + 1 < len(strips) else None
            strip = _Strip(float(strips[index]), float(lowest[index]), float(dearest[index]), following)
            corners = self._strip_corners(strip, positions, counts, floors)
            regions += len(corners)
            for corner in corners:
                if best is None or corner.government > best.government:
                    best = corner
        if floors:
            return floors
        if best is None:
            raise DataError(
                "trips",
                f"{len(self.trips)} trips",
                f"no subsidies within the caps (Sc1 ≤ {self.caps[0]:g}, Sc2 ≤ {self.caps[1]:g}) let the operator "
                "break even (U_O > 0, eq. (12)): too few trips for the fleet, or costs too high",
            )
        return self._result(best, regions)

    def _strip_corners(
        self, strip: _Strip, positions: np.ndarray, counts: np.ndarray, floors: dict[int, float]
    ) -> list[_Corner]:
        """The lowest corner of every region of one strip; none if a count had to be set aside (see run).

        A round that finds a count known only by a bound on the envelope walks at least one more of the
        listed cells, or sets at least one more count aside, and nothing lists cells meanwhile: the rounds
        are at most the cells listed but not walked, plus the counts, plus the last.
        """
        fleets = self._fleets(strip.sigma, counts)
        limits = self._limits(strip.sigma, self.counts)
        aside = np.zeros(counts.size, dtype=bool)  # counts whose listed cells ran out
        for _ in range(int(self.limited.unwalked()[positions].sum()) + counts.size + 1):
            self.rounds += 1
            revenues, entries, exact, walked_all = (found[positions] for found in self.limited.best(limits))
            revenues[aside] = -np.inf
            regions = self._regions(strip, revenues, fleets)
            bounded = np.array([piece[0] for piece, _, _, _ in regions if not exact[piece[0]]], dtype=int)
            if not bounded.size:
                break
            needed = self._needed(strip, np.where(exact, revenues, -np.inf), fleets)
            walkable = bounded[~walked_all[bounded]]
            if walkable.size:  # a chunk each, then look again: the envelope may drop them
                # a count not exact is valued at its next listed cell: a stop no higher walks that cell at least
                stops = np.minimum(needed[walkable], revenues[walkable])
                walked = self.limited.walked
                self.limited.settle(
                    {int(counts[line]): float(limits[positions[line]]) for line in walkable},
                    {int(counts[line]): float(stop) for line, stop in zip(walkable, stops)},
                    once=True,
                )
                assert self.limited.walked > walked, "a chunk walked no cell"
                continue
            # every count whose listed cells ran out and whose bound could still make it a response here; those
            # on the envelope in any case, listed down to below their bound, so that the next sweep lists more
            # of their cells or lowers their bound (the revenue they need is below it but for rounding)
            more = ~exact & ~aside & walked_all & (revenues > needed)
            more[bounded] = True
            aside |= more
            for line in np.flatnonzero(more):
                count, floor = int(counts[line]), min(float(needed[line]), float(np.nextafter(revenues[line], -np.inf)))
                floors[count] = min(floors.get(count, np.inf), floor)
        else:
            raise AssertionError("a round neither walked a cell nor set a count aside")
        if aside.any():
            return []
        corners = []
        for (line, fleet, _, _, _), rho, reason, at in regions:
            count, entry = int(counts[line]), int(entries[line])
            benefits, in_use = self._figures(count, entry)
            assert in_use <= self.params.in_use_share * fleet, "a fleet-limited cell breaks its limit"
            corners.append(_Corner(benefits - fleet * rho, at, rho, count, int(fleet), reason, entry))
        return corners

    def _regions(self, strip: _Strip, revenues: np.ndarray, fleets: np.ndarray) -> list:
        """The envelope pieces with subsidies of their own: (piece, lowest ρ, why a supremum, σ there)."""
        regions = []
        for piece in self._envelope(revenues, fleets, strip.lowest, strip.dearest):
            _, fleet, intercept, start, end = piece
            rho, reason = strip.lowest, ""
            if start > rho:
                rho, reason = start, f"the operator is indifferent between two responses at rho = {start:.6g}"
            if fleet > 0 and -intercept / fleet >= rho:
                rho, reason = -intercept / fleet, "U_O = 0 there (eq. (12) asks U_O > 0)"
            if rho > min(end, strip.dearest) or (rho == end and end < strip.dearest):
                continue  # the region has no subsidies of its own
            at = self._sigma_for(strip.sigma, rho, strip.end)
            if at is not None:
                regions.append((piece, rho, reason, at))
        return regions

    def _needed(self, strip: _Strip, known: np.ndarray, fleets: np.ndarray) -> np.ndarray:
        """Per count, a revenue below which it cannot be a response with U_O > 0 anywhere in the strip.

        The least, over the strip's ρ, of max(envelope of the counts known exactly, 0) − m_K (w0 + ρ):
        that function is convex, so its least value is at an end, at a breakpoint of the envelope, or where
        the envelope crosses 0 (eq. (12)). Without that last kink the answer can be too high: a count on the
        envelope there would be neither walked nor set aside (issue #11).
        Leaving out the counts known only by a bound can only lower the answer, so it is safe and does not
        move when their bounds fall. A hair below is returned: cells not listed then fall strictly below.
        """
        low, high = strip.lowest, strip.dearest
        points = [low, high]
        for _, slope, intercept, start, end in self._envelope(known, fleets, low, high):
            zero = -intercept / slope if slope > 0 else math.nan
            points += [value for value in (start, end, zero) if low < value < high]
        rho = np.array(points)
        intercepts = known + fleets * self.margin
        usable = np.isfinite(intercepts)
        envelope = np.zeros(rho.size)
        if usable.any():
            envelope = np.maximum(envelope, (intercepts[usable, None] + fleets[usable, None] * rho).max(axis=0))
        needed = (envelope - fleets[:, None] * (self.margin + rho)).min(axis=1)
        return needed - 1e-9 * np.maximum(1.0, np.abs(needed))

    def _sigma_for(self, sigma: float, rho: float, strip_end: float | None) -> float | None:
        """The smallest σ ≥ the strip's left end whose subsidies reach ρ, if still inside the strip."""
        if self._rho_bounds(sigma)[1] >= rho:
            return sigma
        # ρmax(σ) is piecewise linear, kinked where the dearer subsidy reaches its cap: invert it exactly
        (cheap, _), (dear, dear_cap) = self.cheap, self.dear
        if rho <= dear * dear_cap:
            found = rho / dear
        elif cheap > 0:
            found = dear_cap + (rho - dear * dear_cap) / cheap
        else:
            return None
        beyond = found >= strip_end if strip_end is not None else found > self.sigma_max
        return None if beyond else found

    def _result(self, best: _Corner, regions: int) -> BilevelResult:
        sigma, rho, count, fleet, reason = best.sigma, best.rho, best.trips, best.fleet, best.reason
        first, second = self._rates(sigma, rho)
        for _ in range(64):  # the rates' float sum may fall an ulp short of the strip
            if fleet_size(self.params, first, second, count) >= fleet:
                break
            if first < self.caps[0]:
                first = float(np.nextafter(first, np.inf))
            else:
                second = float(np.nextafter(second, np.inf))
        cell = self.limited.cell(count, best.entry)
        response = self.table.cell(count, first, second, checked=not reason, cell=cell)
        assert response is not None, "an envelope response failed its checks"
        outcome = outcome_at(self.params, self.trips, response, first, second, self.rounded_crf)
        return BilevelResult(
            outcome=outcome,
            response=response,
            resolution=0.0,
            evaluations=regions,
            in_use_checks=self.limited.walked,
            sweeps=self.limited.fetches,
            rounds=self.rounds,
            wall_time=0.0,
            method="exact",
            supremum=bool(reason),
            note=f"a supremum: {reason}; subsidies a hair higher attain it" if reason else "",
        )


def _crossing(lower: tuple[int, float, float], higher: tuple[int, float, float]) -> float:
    """ρ where the line (index, slope, intercept) with the higher slope overtakes the other."""
    return (lower[2] - higher[2]) / (higher[1] - lower[1])


def _grid_optimum(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    table: ResponseTable,
    rounded_crf: bool,
    step: float,
    refine: float,
    progress: bool,
) -> BilevelResult:
    """The grid upper level: every pair on a ``step`` grid, then a ``refine`` grid around the best."""
    evaluations = 0

    def score(first: float, second: float) -> tuple[float, BestResponse | None]:
        nonlocal evaluations
        evaluations += 1
        try:
            response = table.respond(first, second)
        except DataError:  # the operator cannot operate at these subsidies: not the government's option
            return -np.inf, None
        return outcome_at(params, trips, response, first, second, rounded_crf).government, response

    def search(first_values: np.ndarray, second_values: np.ndarray) -> tuple[float, float, float, BestResponse]:
        best: tuple[float, float, float, BestResponse] | None = None
        grid = [(a, b) for a in first_values for b in second_values]
        for first, second in tqdm(grid, desc="subsidies", disable=not progress):
            value, response = score(float(first), float(second))
            if response is not None and (best is None or value > best[0]):
                best = (value, float(first), float(second), response)
        if best is None:
            raise DataError(
                "subsidies",
                (float(first_values[0]), float(first_values[-1]), float(second_values[0]), float(second_values[-1])),
                "at no grid point can the operator operate (eq. (11)-(12))",
            )
        return best

    def axis(low: float, high: float, spacing: float) -> np.ndarray:
        return np.linspace(low, high, round((high - low) / spacing) + 1)

    _, first, second, _ = search(
        axis(0, params.vehicle_subsidy_max, step), axis(0, params.infrastructure_subsidy_max, step)
    )

    def around(centre: float, cap: float) -> np.ndarray:
        return axis(max(0.0, centre - step), min(cap, centre + step), refine)

    _, first, second, response = search(
        around(first, params.vehicle_subsidy_max), around(second, params.infrastructure_subsidy_max)
    )
    return BilevelResult(
        outcome=outcome_at(params, trips, response, first, second, rounded_crf),
        response=response,
        resolution=refine,
        evaluations=evaluations,
        wall_time=0.0,
        method="grid",
    )
