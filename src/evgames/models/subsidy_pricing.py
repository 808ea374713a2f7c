"""Seed 003's subsidy/pricing game: the model as the paper defines it, evaluated at given decisions.

Users (eq. (2)–(6)): trip n costs U_s = p_s s_n + p_t t_n + (tw_n + t_n) v_n + COMe s_n by shared EV and
U_p = pp s_n + t_n v_n + COMp s_n by private car; it chooses sharing when U_s < U_p strictly (a tie
goes to the private car). Equivalently, sharing is chosen iff

    p_s s_n + p_t t_n < b_n,   b_n = (pp + COMp − COMe) s_n − tw_n v_n,

so each trip is a half-plane of the price plane — the choice lines of the exact method.

Fleet (eq. (17)): m = ⌊m0 + ε (Sc1 + Sc2) + k3 Σ x_n⌋. Capital recovery factors CRF(k) = i(1+i)^k/((1+i)^k − 1),
exact or rounded to 3 decimals (the paper's tables use rounded ones: ``rounded_crf=True``).

Benefits per year (§5.1): environmental E = D Σ x s (W100 Pe η_es + C100 Pc η_cs)/100; parking
P = (Σ x / n0) Pp Sp CRF(kp) (cars replaced times their parking cost); social S = P + k1 m (as Table 2
reports it); subsidy outlay O = m (C1 Sc1 CRF(kc) + C2 Sc2 CRF(ki)).

Government (eq. (9)): U_G = E + P − O. Operator (eq. (10)): U_O = D Σ x (p_s s + p_t t) + k1 m + O
− D Σ x s W100e Pe/100 − m (C1 CRF(kc) + C2 CRF(ki) + k2 Pp Sp CRF(kp) + C3 D).

The subsidies reach the operator only through two scalars: σ = Sc1 + Sc2 (in the fleet) and the
subsidy per vehicle ρ = C1 Sc1 CRF(kc) + C2 Sc2 CRF(ki) (in O = m ρ).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, overload

import numpy as np
import pandas as pd
from scipy import sparse

from evgames.data.subsidy_pricing import SubsidyPricingParams

__all__ = [
    "InUse",
    "Outcome",
    "capital_recovery",
    "choice_thresholds",
    "evaluate",
    "fleet_size",
    "saving_per_km",
    "subsidy_per_vehicle",
    "vehicles_in_use",
]


def capital_recovery(rate: float, years: float, rounded: bool = False) -> float:
    """CRF = i(1+i)^k / ((1+i)^k − 1), optionally rounded to 3 decimals as the paper's tables do."""
    growth = (1.0 + rate) ** years
    factor = rate * growth / (growth - 1.0)
    return round(factor, 3) if rounded else factor


def saving_per_km(params: SubsidyPricingParams) -> float:
    """What a km by shared EV saves against the private car before the sharing price: pp + COMp − COMe."""
    return params.private_cost_per_km + params.comfort_private - params.comfort_sharing


def choice_thresholds(params: SubsidyPricingParams, trips: pd.DataFrame) -> np.ndarray:
    """b_n: trip n chooses sharing iff p_s s_n + p_t t_n < b_n (see the module docstring)."""
    distance = trips["distance_km"].to_numpy(dtype=float)
    waiting_cost = trips["wait_min"].to_numpy(dtype=float) * trips["value_of_time"].to_numpy(dtype=float)
    return saving_per_km(params) * distance - waiting_cost


@overload
def fleet_size(
    params: SubsidyPricingParams, vehicle_subsidy: float, infrastructure_subsidy: float, shared_trips: float
) -> int: ...
@overload
def fleet_size(
    params: SubsidyPricingParams, vehicle_subsidy: float, infrastructure_subsidy: float, shared_trips: np.ndarray
) -> np.ndarray: ...
def fleet_size(params, vehicle_subsidy, infrastructure_subsidy, shared_trips):
    """M = ⌊m0 + ε (Sc1 + Sc2) + k3 Σ x⌋ (eq. (17)); an array of fleets for an array of trip counts."""
    fleet = np.floor(
        params.base_fleet
        + params.subsidy_fleet_response * (vehicle_subsidy + infrastructure_subsidy)
        + params.usage_fleet_response * np.asarray(shared_trips)
        + 1e-9
    )
    return int(fleet) if fleet.ndim == 0 else fleet


def subsidy_per_vehicle(
    params: SubsidyPricingParams, vehicle_subsidy: float, infrastructure_subsidy: float, rounded_crf: bool = False
) -> float:
    """ρ = C1 Sc1 CRF(kc) + C2 Sc2 CRF(ki): yearly subsidy per vehicle."""
    rate = params.interest_rate
    return params.vehicle_cost * vehicle_subsidy * capital_recovery(
        rate, params.vehicle_life, rounded_crf
    ) + params.infrastructure_cost * infrastructure_subsidy * capital_recovery(
        rate, params.infrastructure_life, rounded_crf
    )


def vehicles_in_use(trips: pd.DataFrame, shared: np.ndarray) -> int:
    """Largest number of shared trips under way in any minute of the day; trips wrap past midnight."""
    return int(InUse(trips).peaks(shared))


class InUse:
    """Vehicles in use n_r(t) of eq. (11) for any sets of the same trips.

    Trip n occupies whole minutes ⌊start⌋ … ⌊start⌋ + ⌈duration⌉ − 1 (at least one, at most a day), taken
    modulo the day. It adds +1 to the change in use at its first minute and −1 after its last; a trip
    past midnight also adds +1 at minute 0. The number under way is the running sum of the changes, so
    for many sets at once it is one sparse (minutes × trips) product.
    """

    MINUTES = 1440

    def __init__(self, trips: pd.DataFrame) -> None:
        begin = np.floor(trips["start_min"].to_numpy(dtype=float)).astype(int) % self.MINUTES
        end = begin + np.ceil(trips["duration_min"].to_numpy(dtype=float)).astype(int).clip(1, self.MINUTES)
        wraps = np.flatnonzero(end > self.MINUTES)
        every = np.arange(len(begin))
        midnight = np.zeros(wraps.size, dtype=int)
        self.minute = np.concatenate([begin, np.minimum(end, self.MINUTES), midnight, end[wraps] - self.MINUTES])
        self.trip = np.concatenate([every, every, wraps, wraps])
        self.change = np.repeat([1.0, -1.0, 1.0, -1.0], [every.size, every.size, wraps.size, wraps.size])
        self._matrix: sparse.csr_array | None = None

    def peaks(self, shared: np.ndarray) -> np.ndarray:
        """The largest number under way of one set (a vector over trips) or of each column of a matrix."""
        shared = np.asarray(shared, dtype=bool)
        if shared.ndim == 1:
            counted = shared[self.trip]
            changes = np.bincount(self.minute[counted], weights=self.change[counted], minlength=self.MINUTES + 1)
            return np.cumsum(changes[: self.MINUTES]).max(initial=0).round().astype(int)
        if self._matrix is None:
            self._matrix = sparse.csr_array(
                (self.change.astype(np.float32), (self.minute, self.trip)), shape=(self.MINUTES + 1, shared.shape[0])
            )
        changes = self._matrix @ shared.astype(np.float32)
        peak = np.zeros(shared.shape[1], dtype=np.float32)
        if shared.shape[1] < 512:  # a running sum down the minutes, in blocks of sets that stay in cache
            for start in range(0, shared.shape[1], 128):
                block = np.cumsum(changes[: self.MINUTES, start : start + 128], axis=0)
                peak[start : start + 128] = block.max(axis=0, initial=0)
        else:  # row by row in place: for many sets ten times faster than one cumsum
            under_way = np.zeros(shared.shape[1], dtype=np.float32)
            for minute in changes[: self.MINUTES]:
                under_way += minute
                np.maximum(peak, under_way, out=peak)
        return peak.round().astype(int)


@dataclass(frozen=True)
class Outcome:
    """Everything the paper reports for one decision (CNY per year unless stated)."""

    price_per_km: float
    price_per_min: float
    vehicle_subsidy: float
    infrastructure_subsidy: float
    trips: int
    sharing_ratio: float
    fleet: int
    operator: float
    government: float
    environmental: float
    social: float
    parking: float
    subsidy_outlay: float
    vehicles_in_use: int
    feasible: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain record."""
        return asdict(self)


def evaluate(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    price_per_km: float,
    price_per_min: float,
    vehicle_subsidy: float = 0.0,
    infrastructure_subsidy: float = 0.0,
    rounded_crf: bool = False,
    shared: np.ndarray | None = None,
) -> Outcome:
    """Users' choices, fleet and every utility at the given prices and subsidies.

    ``shared`` overrides the users' choices with a given set (used at a supremum, where the set is that
    of the cell the prices are approached from).
    """
    distance = trips["distance_km"].to_numpy(dtype=float)
    duration = trips["duration_min"].to_numpy(dtype=float)
    if shared is None:
        shared = price_per_km * distance + price_per_min * duration < choice_thresholds(params, trips)
    count = int(shared.sum())
    km, minutes = float(distance[shared].sum()), float(duration[shared].sum())
    fleet = fleet_size(params, vehicle_subsidy, infrastructure_subsidy, count)
    rate = params.interest_rate
    parking_crf = capital_recovery(rate, params.parking_life, rounded_crf)
    environmental = (
        params.days
        * km
        * (
            params.fuel_energy_per_100km * params.electricity_price * params.energy_saving_share
            + params.carbon_per_100km * params.carbon_price * params.emission_cut_share
        )
        / 100.0
    )
    parking = count / params.trips_per_car * params.parking_cost * params.parking_area * parking_crf
    outlay = fleet * subsidy_per_vehicle(params, vehicle_subsidy, infrastructure_subsidy, rounded_crf)
    per_vehicle_cost = (
        params.vehicle_cost * capital_recovery(rate, params.vehicle_life, rounded_crf)
        + params.infrastructure_cost * capital_recovery(rate, params.infrastructure_life, rounded_crf)
        + params.parking_ratio * params.parking_cost * params.parking_area * parking_crf
        + params.operating_cost * params.days
    )
    operator = (
        params.days * (price_per_km * km + price_per_min * minutes)
        + params.grid_service_revenue * fleet
        + outlay
        - params.days * km * params.ev_energy_per_100km * params.electricity_price / 100.0
        - fleet * per_vehicle_cost
    )
    in_use = vehicles_in_use(trips, shared)
    return Outcome(
        price_per_km=price_per_km,
        price_per_min=price_per_min,
        vehicle_subsidy=vehicle_subsidy,
        infrastructure_subsidy=infrastructure_subsidy,
        trips=count,
        sharing_ratio=count / len(trips),
        fleet=fleet,
        operator=operator,
        government=environmental + parking - outlay,
        environmental=environmental,
        social=parking + params.grid_service_revenue * fleet,
        parking=parking,
        subsidy_outlay=outlay,
        vehicles_in_use=in_use,
        feasible=bool(in_use <= params.in_use_share * fleet and operator > 0),
    )
