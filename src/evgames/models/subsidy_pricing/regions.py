"""Seed 003's upper level, exact: the government's optimum over the regions of the subsidy plane.

**Through which scalars the subsidies reach the operator.** At given subsidies the operator maximises
(see :mod:`~evgames.models.subsidy_pricing.problem`)

    R*(K) + m(K, σ)·(w0 + ρ),   m(K, σ) = ⌊m0 + εσ + k3 K⌋,   w0 = k1 − c,

over the trip count K, where R*(K) is the best fare revenue of any price cell with K trips (one
:class:`~evgames.models.subsidy_pricing.response_table.ResponseTable`), σ = Sc1 + Sc2 (eq. (17)) and
ρ = α Sc1 + β Sc2 the yearly subsidy per vehicle, α = C1 CRF(kc), β = C2 CRF(ki). Nothing else of
(Sc1, Sc2) enters: the government chooses a point of the parallelogram {(σ, ρ)} the subsidy box maps to
(:mod:`~evgames.models.subsidy_pricing.subsidy_plane`).

**Regions.** The floors change only at the breakpoints σ where m0 + εσ + k3 K is an integer. Between two
breakpoints (a *strip*) every m(K) is fixed, and the operator's value is the upper envelope of the lines
A_K + m_K ρ (A_K = R*(K) + m_K w0; :mod:`~evgames.models.subsidy_pricing.envelope`): a few intervals
of ρ, each with one response K. On such a region the
government's utility (eq. (9)) is U_G = E(C_K) + P(C_K) − m_K ρ: fixed but for the outlay, so it is largest
at the smallest ρ the region allows — the envelope breakpoint below, the cheapest subsidy ρmin(σ) at the
strip's left end (floors are right-continuous, so that end belongs to the strip), or the ρ where U_O
becomes positive (eq. (12)). :class:`RegionSearch` enumerates those corners: O(strips × lines),
exact.

**Suprema.** At an envelope breakpoint the operator is indifferent between two responses and, by the
table's rule, takes the one with fewer trips; at U_O = 0 the operator does not operate (eq. (12) is
strict). A corner of either kind is a *supremum*: subsidies a hair higher attain it to any precision.
The result says so and why.

**The fleet-in-use limit.** R*(K) ignores eq. (11). In every strip each count takes its best cell within
that strip's limit 0.95 m_K (:class:`~evgames.models.subsidy_pricing.fleet_limit.FleetLimitedCells`),
known exactly where the count's cells have been walked far enough and otherwise as an upper bound. A count
whose bound is on the envelope where the government could choose is walked further and the search runs
again; a bound line that is not on the envelope cannot hide a response (the count's true line lies below
it), so the result stays exact.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from tqdm.auto import tqdm

from evgames.data.subsidy_pricing import NO_SUBSIDIES, Subsidies
from evgames.data.validation import DataError
from evgames.models.subsidy_pricing.arrangement import Cell, vertex_response
from evgames.models.subsidy_pricing.economics import fleet_size, in_use_limit
from evgames.models.subsidy_pricing.envelope import Piece, envelope, needed_revenue
from evgames.models.subsidy_pricing.fleet_limit import FleetLimitedCells
from evgames.models.subsidy_pricing.outcome import BilevelResult, evaluate, outcome_at
from evgames.models.subsidy_pricing.problem import OperatorProblem
from evgames.models.subsidy_pricing.response_table import ResponseTable
from evgames.models.subsidy_pricing.subsidy_plane import Strip, SubsidyPlane

__all__ = ["Corner", "Region", "RegionSearch"]


class Corner(NamedTuple):
    """The best point of one region: U_G there, (σ, ρ), the operator's trip count and fleet, why a supremum."""

    government: float
    sigma: float
    rho: float
    trips: int
    fleet: int
    reason: str
    cell: Cell  # the response cell (eq. (11) holds in it)


class Region(NamedTuple):
    """An envelope piece with subsidies of its own: its lowest ρ, why that is a supremum, and the σ there."""

    piece: Piece
    rho: float
    reason: str
    sigma: float


class RegionSearch:
    """The exact upper level of the module docstring, for one problem and its response table."""

    def __init__(self, problem: OperatorProblem, table: ResponseTable) -> None:
        self.problem, self.table = problem, table
        self.plane = SubsidyPlane(problem)
        self.margin = problem.margin(NO_SUBSIDIES)  # w0 = k1 − c
        self.benefits: dict[tuple, float] = {}  # E + P of a response cell
        self.counts = np.flatnonzero(np.isfinite(table.best))
        self.limited = FleetLimitedCells(
            problem, table.cells(self.counts), self.plane.limits(0.0, self.counts), vehicles=table.vehicles()
        )
        self.rounds = 0  # looks at a strip's envelope (see _strip_corners)
        self.settled: dict[int, list[Corner]] = {}  # the corners of each strip settled so far, by its place

    def candidates(self) -> np.ndarray:
        """Positions in ``self.counts`` of the trip counts that can be a response somewhere in the box.

        With w = w0 + ρ ≤ w_max < 0 everywhere, K loses to any K' < K with R*(K') ≥ R*(K) (its fleet is
        no larger) and to any K' with R*(K) − R*(K') ≤ (k3 (K − K') − 1)·|w_max| (its fleet is at least
        ⌊k3 (K − K')⌋ > k3 (K − K') − 1 vehicles larger) — provided K' earns R*(K') under every fleet limit
        (eq. (11)); K's own revenue can only be less than R*(K).
        """
        counts = self.counts
        highest_margin = self.margin + self.plane.rho_max
        if highest_margin >= 0:
            return np.arange(counts.size)
        values = self.table.best[counts]
        adjusted = values + self.problem.params.usage_fleet_response * counts * highest_margin
        rival = np.where(self.limited.unlimited, values, -np.inf)
        rival_adjusted = np.where(self.limited.unlimited, adjusted, -np.inf)
        previous_best = np.maximum.accumulate(np.r_[-np.inf, rival[:-1]])
        previous_adjusted = np.maximum.accumulate(np.r_[-np.inf, rival_adjusted[:-1]])
        keep = (values > previous_best) & (adjusted - highest_margin > previous_adjusted)
        return np.flatnonzero(keep)

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

        A strip settled without setting a count aside keeps its corners for the passes after: the counts on
        its envelope were known exactly, and every other count only falls as it is walked or listed further,
        so its envelope cannot change. Each pass after the first looks again only at the strips left open.
        """
        positions = self.candidates()
        strips = self._strips(self.counts[positions])  # the same strips in every pass
        while True:
            found = self._pass(positions, strips, progress)
            if isinstance(found, BilevelResult):
                return found
            self.limited.fetch(found)

    def _strips(self, counts: np.ndarray) -> list[Strip]:
        """The strips of σ on which the fleets of these counts are fixed (see the module docstring)."""
        starts = self.plane.strips(counts)
        lowest, _ = self.plane.rho_bounds(starts)
        _, dearest = self.plane.rho_bounds(np.r_[starts[1:], self.plane.sigma_max])
        ends = [*starts[1:].tolist(), None]
        return [Strip(*values) for values in zip(starts.tolist(), lowest.tolist(), dearest.tolist(), ends)]

    def _figures(self, count: int, entry: int) -> tuple[Cell, float, int]:
        """A response cell with K trips, its E + P (independent of the subsidies) and its vehicles in use."""
        cell = self.limited.cell(count, entry)
        key = (count, float(cell.point[0]), float(cell.point[1]), cell.counted)
        if key not in self.benefits:
            outcome = evaluate(self.problem, 0.0, 0.0, NO_SUBSIDIES, shared=self.table.chosen(count, cell))
            self.benefits[key] = outcome.environmental + outcome.parking
        return cell, self.benefits[key], self.limited.vehicles(count, entry)

    def _pass(self, positions: np.ndarray, strips: list[Strip], progress: bool) -> BilevelResult | dict[int, float]:
        counts = self.counts[positions]
        best: Corner | None = None
        floors = np.full(counts.size, np.inf)  # per count, the revenue down to which its cells must be listed
        regions = 0
        for index in tqdm(range(len(strips)), desc="subsidy regions", disable=not progress):
            if index not in self.settled:
                corners = self._strip_corners(strips[index], positions, counts, floors)
                if corners is not None:  # no count set aside: final (see run)
                    self.settled[index] = corners
            corners = self.settled.get(index, [])
            regions += len(corners)
            for corner in corners:
                if best is None or corner.government > best.government:
                    best = corner
        if np.isfinite(floors).any():
            asked = np.flatnonzero(np.isfinite(floors))
            return dict(zip(counts[asked].tolist(), floors[asked].tolist()))
        if best is None:
            caps = self.plane.caps
            raise DataError(
                "trips",
                f"{len(self.problem.trips)} trips",
                f"no subsidies within the caps (Sc1 ≤ {caps[0]:g}, Sc2 ≤ {caps[1]:g}) let the operator "
                "break even (U_O > 0, eq. (12)): too few trips for the fleet, or costs too high",
            )
        return self._result(best, regions)

    def _strip_corners(
        self, strip: Strip, positions: np.ndarray, counts: np.ndarray, floors: np.ndarray
    ) -> list[Corner] | None:
        """The lowest corner of every region of one strip; None if a count had to be set aside (see run).

        A round that finds a count known only by a bound on the envelope walks at least one more of the
        listed cells, counts exactly at least one walked cell known by a bound on its vehicles only, or sets
        at least one more count aside, and nothing lists cells meanwhile: the rounds are at most the cells
        listed but not walked, plus the cells walked but not counted, plus the counts, plus the last.
        """
        fleets = self.plane.fleets(strip.sigma, counts)
        limits = in_use_limit(self.problem.params, fleets)
        aside = np.zeros(counts.size, dtype=bool)  # counts whose listed cells ran out
        budget = self.limited.unwalked()[positions].sum() + self.limited.uncounted()[positions].sum()
        for _ in range(int(budget) + counts.size + 1):
            self.rounds += 1
            revenues, entries, exact, walked_all = self.limited.best(limits, positions)
            revenues[aside] = -np.inf
            regions = self._regions(strip, revenues, fleets)
            bounded = np.array([region.piece.line for region in regions if not exact[region.piece.line]], dtype=int)
            if not bounded.size:
                break
            known = np.where(exact, revenues, -np.inf)
            needed = needed_revenue(known, fleets, self.margin, strip.lowest, strip.dearest)
            walkable = bounded[~walked_all[bounded]]
            if walkable.size:  # a chunk each, then look again: the envelope may drop them
                # and a chunk of every other count not known exactly whose bound could still make it a response:
                # where eq. (11) binds hard nearly all of them are walked in the end, and one round for them all
                # spares a look at the envelope per count and chunk (thousands of rounds in one strip)
                rivals = np.flatnonzero(~exact & ~walked_all & (revenues > needed))
                walkable = np.union1d(walkable, rivals)
                # a count not exact is valued at its next listed cell: a stop no higher walks that cell at least
                stops = np.minimum(needed[walkable], revenues[walkable])
                work = self.limited.work()
                self.limited.settle(
                    {int(counts[line]): float(limits[line]) for line in walkable},
                    {int(counts[line]): float(stop) for line, stop in zip(walkable, stops)},
                    once=True,
                )
                assert self.limited.work() > work, "a chunk walked or counted no cell"
                continue
            # every count whose listed cells ran out and whose bound could still make it a response here; those
            # on the envelope in any case, listed down to below their bound, so that the next sweep lists more
            # of their cells or lowers their bound (the revenue they need is below it but for rounding)
            more = ~exact & ~aside & walked_all & (revenues > needed)
            more[bounded] = True
            aside |= more
            floors[more] = np.minimum(floors[more], np.minimum(needed[more], np.nextafter(revenues[more], -np.inf)))
        else:
            raise AssertionError("a round neither walked a cell nor set a count aside")
        if aside.any():
            return None
        corners = []
        for region in regions:
            fleet = region.piece.slope
            count, entry = int(counts[region.piece.line]), int(entries[region.piece.line])
            cell, benefits, in_use = self._figures(count, entry)
            assert in_use <= in_use_limit(self.problem.params, fleet), "a fleet-limited cell breaks its limit"
            corners.append(
                Corner(benefits - fleet * region.rho, region.sigma, region.rho, count, int(fleet), region.reason, cell)
            )
        return corners

    def _regions(self, strip: Strip, revenues: np.ndarray, fleets: np.ndarray) -> list[Region]:
        """The envelope pieces with subsidies of their own, each at its lowest ρ."""
        regions = []
        for piece in envelope(revenues, fleets, self.margin, strip.lowest, strip.dearest):
            _, fleet, intercept, start, end = piece
            rho, reason = strip.lowest, ""
            if start > rho:
                rho, reason = start, f"the operator is indifferent between two responses at rho = {start:.6g}"
            if fleet > 0 and -intercept / fleet >= rho:
                rho, reason = -intercept / fleet, "U_O = 0 there (eq. (12) asks U_O > 0)"
            if rho > min(end, strip.dearest) or (rho == end and end < strip.dearest):
                continue  # the region has no subsidies of its own
            at = self.plane.sigma_for(strip.sigma, rho, strip.end)
            if at is not None:
                regions.append(Region(piece, rho, reason, at))
        return regions

    def _result(self, best: Corner, regions: int) -> BilevelResult:
        params, caps = self.problem.params, self.plane.caps
        first, second = self.plane.rates(best.sigma, best.rho)
        for _ in range(64):  # the rates' float sum may fall an ulp short of the strip
            if fleet_size(params, first + second, best.trips) >= best.fleet:
                break
            if first < caps[0]:
                first = float(np.nextafter(first, np.inf))
            else:
                second = float(np.nextafter(second, np.inf))
        subsidies = Subsidies(first, second)
        cell = best.cell
        response = vertex_response(self.problem, cell.point, cell.counted, subsidies, checked=not best.reason)
        assert response is not None, "an envelope response failed its checks"
        return BilevelResult(
            outcome=outcome_at(self.problem, response, subsidies),
            response=response,
            resolution=0.0,
            evaluations=regions,
            in_use_checks=self.limited.walked,
            in_use_counted=self.limited.counted,
            sweeps=self.limited.fetches,
            rounds=self.rounds,
            wall_time=0.0,
            method="exact",
            supremum=bool(best.reason),
            note=f"a supremum: {best.reason}; subsidies a hair higher attain it" if best.reason else "",
        )
