"""The operator's problem at given subsidies (seed 003's lower level) and the shape of its answer.

At fixed subsidies the operator's utility (eq. (10)) for a set C of sharing trips and prices p is

    Π(C, p) = D Σ_{n∈C} (a_n·p − e_n) + m(|C|)·w,    a_n = (s_n, t_n), e_n = s_n W100e Pe/100,

with m(K) = ⌊m0 + εσ + k3 K⌋ (eq. (17)) and w = k1 + ρ − c the margin per vehicle: grid revenue plus the
subsidy per vehicle less its cost (:mod:`~evgames.models.subsidy_pricing.economics`). Users choose
C(p) = {n : a_n·p < b_n}. :class:`OperatorProblem` holds the data with these per-trip arrays computed
once; every method of the operator's level reads them from it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from evgames.data.subsidy_pricing import Subsidies, SubsidyPricingData, SubsidyPricingParams
from evgames.data.validation import DataError
from evgames.models.subsidy_pricing.economics import (
    choice_thresholds,
    cost_per_vehicle,
    energy_cost,
    fleet_size,
    operator_utility,
    subsidy_per_vehicle,
    trip_savings,
)
from evgames.models.subsidy_pricing.in_use import InUse

__all__ = ["BestResponse", "OperatorProblem", "no_feasible_prices"]


#: Choice lines closer than this over the price box are one line (see :attr:`OperatorProblem.twins`).
TWIN_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class OperatorProblem(SubsidyPricingData):
    """The family's data (parameters, trips, CRF reading) with the operator's per-trip arrays, each computed once.

    Build one from data with :meth:`of`, or directly as ``OperatorProblem(params, trips, rounded_crf)``.
    """

    @classmethod
    def of(cls, data: SubsidyPricingData) -> OperatorProblem:
        """The problem of ``data`` (``data`` itself when it is one already)."""
        return data if isinstance(data, OperatorProblem) else cls(data.params, data.trips, data.rounded_crf)

    def with_params(self, params: SubsidyPricingParams) -> OperatorProblem:
        """The same trips and reading under other parameters."""
        return replace(self, params=params)

    # -- per-trip arrays -----------------------------------------------------------------------------------
    @cached_property
    def distance(self) -> np.ndarray:
        """s_n (km)."""
        return self.trips["distance_km"].to_numpy(dtype=float)

    @cached_property
    def duration(self) -> np.ndarray:
        """t_n (min)."""
        return self.trips["duration_min"].to_numpy(dtype=float)

    @cached_property
    def per_trip(self) -> np.ndarray:
        """a_n = (s_n, t_n) as rows: a_n·p is what trip n pays at prices p."""
        return np.column_stack([self.distance, self.duration])

    @cached_property
    def threshold(self) -> np.ndarray:
        """b_n: trip n shares iff a_n·p < b_n."""
        return choice_thresholds(self.params, self.trips)

    @cached_property
    def savings(self) -> np.ndarray:
        """(pp + COMp − COMe) s_n: the saving before the price and the wait."""
        return trip_savings(self.params, self.trips)

    @cached_property
    def energy(self) -> np.ndarray:
        """e_n = s_n W100e Pe / 100: the electricity of trip n."""
        return energy_cost(self.params, self.distance)

    @cached_property
    def twins(self) -> np.ndarray | None:
        """Per trip, the first trip whose choice line coincides with its own; None when no two lines coincide.

        Lines coincide within 1e-9 of a·p − b over the price box, the margin of
        :func:`~evgames.models.subsidy_pricing.arrangement.vertex_trips`: no vertex test tells them apart, so
        their trips share or not together (a cell on the sharing side of one is on the sharing side of all).
        """
        upper = np.array([self.params.price_per_km_max, self.params.price_per_min_max])
        a, b = self.per_trip, self.threshold
        order = np.lexsort((b, a[:, 1], a[:, 0]))
        km = a[order, 0]
        # a twin's distance lies within the tolerance over the largest price per km
        stop = np.searchsorted(km, km + TWIN_TOLERANCE / max(upper[0], 1e-300), side="right")
        first = np.arange(b.size)
        found = False
        for position in np.flatnonzero(stop > np.arange(b.size) + 1):
            n = order[position]
            if first[n] != n:
                continue
            window = order[position + 1 : stop[position]]
            close = np.abs(a[window] - a[n]) @ upper + np.abs(b[window] - b[n]) <= TWIN_TOLERANCE
            close &= first[window] == window
            first[window[close]] = n
            found |= bool(close.any())
        return first if found else None

    @cached_property
    def in_use(self) -> InUse:
        """Vehicles in use (eq. (11)) of any sets of these trips."""
        return InUse(self.trips)

    @cached_property
    def vehicle_cost(self) -> float:
        """c: the yearly cost of a vehicle."""
        return cost_per_vehicle(self.params, self.rounded_crf)

    # -- the operator's utility ----------------------------------------------------------------------------
    def fares(self, points: np.ndarray) -> np.ndarray:
        """a_n·p per trip at one price pair, or (trips × points) at the rows of ``points``."""
        points = np.asarray(points, dtype=float)
        if points.ndim == 1:
            return points[0] * self.distance + points[1] * self.duration
        return self.distance[:, None] * points[:, 0] + self.duration[:, None] * points[:, 1]

    def shares(self, points: np.ndarray) -> np.ndarray:
        """The users' choices at prices p (eq. (2)–(6)): a_n·p < b_n, one column per row of ``points``."""
        fares = self.fares(points)
        return fares < (self.threshold if fares.ndim == 1 else self.threshold[:, None])

    def trip_revenue(self, points: np.ndarray) -> np.ndarray:
        """a_n·p − e_n: what trip n earns the operator a day at prices p, were it shared (as :meth:`fares`)."""
        fares = self.fares(points)
        return fares - (self.energy if fares.ndim == 1 else self.energy[:, None])

    def margin(self, subsidies: Subsidies) -> float:
        """What one more vehicle earns the operator a year at these subsidies: w = k1 + ρ − c."""
        rho = subsidy_per_vehicle(self.params, subsidies, self.rounded_crf)
        return self.params.grid_service_revenue + rho - self.vehicle_cost

    def fleet(self, subsidies: Subsidies, shared_trips: Any) -> Any:
        """m(K) of eq. (17) for a trip count or an array of them."""
        return fleet_size(self.params, subsidies.total, shared_trips)

    def fleet_value(self, subsidies: Subsidies, shared_trips: Any) -> Any:
        """m(K)·w: the fleet's part of U_O for a trip count or an array of them."""
        return self.fleet(subsidies, shared_trips) * self.margin(subsidies)

    def value(self, chosen: np.ndarray, point: np.ndarray, subsidies: Subsidies) -> float:
        """Π(C, p) = U_O (eq. (10)) for an explicit set C (it need not be the users' choice at p)."""
        km, minutes = float(self.distance[chosen].sum()), float(self.duration[chosen].sum())
        fares = point[0] * km + point[1] * minutes
        fleet = self.fleet(subsidies, int(chosen.sum()))
        return float(operator_utility(self.params, subsidies, fares, km, fleet, self.rounded_crf))


@dataclass(frozen=True)
class BestResponse:
    """The operator's best prices at given subsidies.

    Attributes:
        price_per_km, price_per_min: p_s and p_t (at a supremum: the vertex approached).
        operator: U_O (CNY per year), the supremum where ``supremum`` is true.
        trips: Number of sharing trips counted.
        fleet: m.
        supremum: The value counts a trip exactly on its choice line: the user is indifferent there and,
            by the tie rule, takes the private car; prices a hair inside the cell attain it.
        method: ``exact``, ``milp``, ``expected`` or ``pso``.
        wall_time: Seconds.
        candidates_checked: Candidates tried before a feasible one (the exact sweep).
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


def no_feasible_prices(subsidies: Subsidies) -> DataError:
    """The error of subsidies at which no price pair satisfies eq. (11) and (12)."""
    return DataError(
        "subsidies",
        tuple(subsidies),
        "no feasible price pair: every cell breaks the fleet-in-use limit or has U_O <= 0",
    )
