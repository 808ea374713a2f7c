"""The subsidies as the operator sees them: the plane of (σ, ρ) and its strips (seed 003's upper level).

The subsidies reach the operator only through σ = Sc1 + Sc2 (the fleet floor of eq. (17)) and the subsidy
per vehicle ρ = α Sc1 + β Sc2, α = C1 CRF(kc), β = C2 CRF(ki): the government chooses a point of the
parallelogram the subsidy box maps to. The floors m(K, σ) = ⌊m0 + εσ + k3 K⌋ change only at the
breakpoints σ where m0 + εσ + k3 K is an integer; between two of them (a *strip*) every m(K) is fixed.
Floors are right-continuous, so a strip's left end belongs to it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from evgames.data.subsidy_pricing import Subsidies
from evgames.models.subsidy_pricing.economics import (
    FLOOR_TOLERANCE,
    fleet_level,
    fleet_size,
    in_use_limit,
    subsidy_per_vehicle,
)
from evgames.models.subsidy_pricing.problem import OperatorProblem

__all__ = ["Strip", "SubsidyPlane"]


class Strip(NamedTuple):
    """A strip of σ: its left end (attained), the subsidy per vehicle ρ it allows, and the next strip's start."""

    sigma: float
    lowest: float  # ρmin at the left end
    dearest: float  # ρmax at the right end
    end: float | None  # None for the last strip (closed at σmax)


class SubsidyPlane:
    """The parallelogram {(σ, ρ)} of the subsidy box, the strips of σ and the fleets on them."""

    def __init__(self, problem: OperatorProblem) -> None:
        params = self.params = problem.params
        self.vehicle_rate = subsidy_per_vehicle(params, Subsidies(1.0, 0.0), problem.rounded_crf)  # α
        self.infrastructure_rate = subsidy_per_vehicle(params, Subsidies(0.0, 1.0), problem.rounded_crf)  # β
        self.caps = (params.vehicle_subsidy_max, params.infrastructure_subsidy_max)
        self.sigma_max = self.caps[0] + self.caps[1]
        self.rho_max = self.vehicle_rate * self.caps[0] + self.infrastructure_rate * self.caps[1]
        #: (rate, cap) of the subsidy that costs less per unit of σ, then of the other one
        self.cheap, self.dear = sorted([(self.vehicle_rate, self.caps[0]), (self.infrastructure_rate, self.caps[1])])

    def rho_bounds(self, sigma: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """ρmin(σ), ρmax(σ): the cheapest and dearest subsidy per vehicle with Sc1 + Sc2 = σ."""
        (cheap, cheap_cap), (dear, dear_cap) = self.cheap, self.dear
        sigma = np.asarray(sigma, dtype=float)
        low = cheap * np.minimum(sigma, cheap_cap) + dear * np.maximum(sigma - cheap_cap, 0.0)
        high = dear * np.minimum(sigma, dear_cap) + cheap * np.maximum(sigma - dear_cap, 0.0)
        return low, high

    def rates(self, sigma: float, rho: float) -> Subsidies:
        """(Sc1, Sc2) with Sc1 + Sc2 = σ and α Sc1 + β Sc2 = ρ, inside the box."""
        low_first, high_first = max(0.0, sigma - self.caps[1]), min(self.caps[0], sigma)
        if abs(self.vehicle_rate - self.infrastructure_rate) > 1e-12 * max(self.vehicle_rate, 1.0):
            first = (rho - self.infrastructure_rate * sigma) / (self.vehicle_rate - self.infrastructure_rate)
        else:
            first = high_first
        first = min(max(first, low_first), high_first)
        return Subsidies(first, min(max(sigma - first, 0.0), self.caps[1]))

    def sigma_for(self, sigma: float, rho: float, strip_end: float | None) -> float | None:
        """The smallest σ ≥ the strip's left end whose subsidies reach ρ, if still inside the strip."""
        if self.rho_bounds(sigma)[1] >= rho:
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

    def fleets(self, sigma: float, counts: np.ndarray) -> np.ndarray:
        """m(K, σ) of eq. (17): only σ = Sc1 + Sc2 enters."""
        return fleet_size(self.params, sigma, counts)

    def limits(self, sigma: float, counts: np.ndarray) -> np.ndarray:
        """The most vehicles in use each count's fleet allows at σ (eq. (11))."""
        return in_use_limit(self.params, self.fleets(sigma, counts))

    def strips(self, counts: np.ndarray) -> np.ndarray:
        """Left ends of the strips: 0 and every σ in the box where some m(K, σ) steps up."""
        slope = self.params.subsidy_fleet_response
        if slope <= 0:
            return np.zeros(1)
        offset = fleet_level(self.params, 0.0, counts) + FLOOR_TOLERANCE
        first = np.floor(offset) + 1
        steps = (np.floor(offset + slope * self.sigma_max) - first + 1).clip(0).astype(int)
        integers = np.repeat(first, steps) + (np.arange(steps.sum()) - np.repeat(np.cumsum(steps) - steps, steps))
        breaks = (integers - np.repeat(offset, steps)) / slope
        ends = np.unique(np.concatenate([[0.0], breaks[(breaks > 0) & (breaks <= self.sigma_max)]]))
        fixed = []
        for index, sigma in enumerate(ends):  # float rounding may put a computed step just before the jump
            after = ends[index + 1] if index + 1 < len(ends) else self.sigma_max
            middle = self.fleets(0.5 * (sigma + after), counts) if after > sigma else self.fleets(sigma, counts)
            while sigma < after and not np.array_equal(self.fleets(sigma, counts), middle):
                sigma = np.nextafter(sigma, np.inf)
            fixed.append(sigma)
        return np.unique(fixed)
