"""Seed 003's subsidy/pricing game: the paper's formulas, each written once, as functions of the parameters.

Users (eq. (2)–(6)): trip n costs U_s = p_s s_n + p_t t_n + (tw_n + t_n) v_n + COMe s_n by shared EV and
U_p = pp s_n + t_n v_n + COMp s_n by private car; it chooses sharing when U_s < U_p strictly (a tie
goes to the private car). Equivalently, sharing is chosen iff

    p_s s_n + p_t t_n < b_n,   b_n = (pp + COMp − COMe) s_n − tw_n v_n,

so each trip is a half-plane of the price plane — the choice lines of the exact method.

Fleet (eq. (17)): m = ⌊m0 + ε (Sc1 + Sc2) + k3 Σ x_n⌋. Capital recovery factors CRF(k) = i(1+i)^k/((1+i)^k − 1),
exact or rounded to 3 decimals (the paper's tables use rounded ones: ``rounded_crf=True``). Vehicles in
use (eq. (11)): at most 0.95 m at any time.

Benefits per year (§5.1): environmental E = D Σ x s (W100 Pe η_es + C100 Pc η_cs)/100; parking
P = (Σ x / n0) Pp Sp CRF(kp) (cars replaced times their parking cost); social S = P + k1 m (as Table 2
reports it); subsidy outlay O = m (C1 Sc1 CRF(kc) + C2 Sc2 CRF(ki)).

Government (eq. (9)): U_G = E + P − O. Operator (eq. (10)): U_O = D Σ x (p_s s + p_t t) + k1 m + O
− D Σ x s W100e Pe/100 − m c, with the cost per vehicle c = C1 CRF(kc) + C2 CRF(ki) + k2 Pp Sp CRF(kp) + C3 D.

The subsidies reach the operator only through two scalars: σ = Sc1 + Sc2 (in the fleet) and the
subsidy per vehicle ρ = C1 Sc1 CRF(kc) + C2 Sc2 CRF(ki) (in O = m ρ).
"""

from __future__ import annotations

from typing import Any, NamedTuple, overload

import numpy as np
import pandas as pd

from evgames.data.subsidy_pricing import Subsidies, SubsidyPricingParams

__all__ = [
    "FLOOR_TOLERANCE",
    "Welfare",
    "capital_recovery",
    "choice_thresholds",
    "cost_per_vehicle",
    "energy_cost",
    "environmental_benefit",
    "fleet_level",
    "fleet_size",
    "in_use_limit",
    "operator_utility",
    "parking_benefit",
    "saving_per_km",
    "subsidy_outlay",
    "subsidy_per_vehicle",
    "trip_savings",
    "welfare",
]

#: Added before the floor of eq. (17), so that a fleet level a rounding error below an integer reaches it.
FLOOR_TOLERANCE = 1e-9


def capital_recovery(rate: float, years: float, rounded: bool = False) -> float:
    """CRF = i(1+i)^k / ((1+i)^k − 1), optionally rounded to 3 decimals as the paper's tables do."""
    growth = (1.0 + rate) ** years
    factor = rate * growth / (growth - 1.0)
    return round(factor, 3) if rounded else factor


def saving_per_km(params: SubsidyPricingParams) -> float:
    """What a km by shared EV saves against the private car before the sharing price: pp + COMp − COMe."""
    return params.private_cost_per_km + params.comfort_private - params.comfort_sharing


def trip_savings(params: SubsidyPricingParams, trips: pd.DataFrame) -> np.ndarray:
    """(pp + COMp − COMe) s_n: what trip n saves by shared EV before the price and the wait."""
    return saving_per_km(params) * trips["distance_km"].to_numpy(dtype=float)


def choice_thresholds(params: SubsidyPricingParams, trips: pd.DataFrame) -> np.ndarray:
    """b_n: trip n chooses sharing iff p_s s_n + p_t t_n < b_n (see the module docstring)."""
    waiting_cost = trips["wait_min"].to_numpy(dtype=float) * trips["value_of_time"].to_numpy(dtype=float)
    return trip_savings(params, trips) - waiting_cost


def fleet_level(params: SubsidyPricingParams, subsidy_sum: float, shared_trips: Any) -> Any:
    """m0 + ε σ + k3 K, the fleet of eq. (17) before its floor (numbers, arrays or model expressions)."""
    return params.base_fleet + params.subsidy_fleet_response * subsidy_sum + params.usage_fleet_response * shared_trips


@overload
def fleet_size(params: SubsidyPricingParams, subsidy_sum: float, shared_trips: float) -> int: ...
@overload
def fleet_size(params: SubsidyPricingParams, subsidy_sum: float, shared_trips: np.ndarray) -> np.ndarray: ...
def fleet_size(params, subsidy_sum, shared_trips):
    """The fleet m = ⌊m0 + ε σ + k3 K⌋ (eq. (17)), σ = Sc1 + Sc2; an array of fleets for an array of trip counts."""
    fleet = np.floor(fleet_level(params, subsidy_sum, np.asarray(shared_trips)) + FLOOR_TOLERANCE)
    return int(fleet) if fleet.ndim == 0 else fleet


def in_use_limit(params: SubsidyPricingParams, fleet: Any) -> Any:
    """0.95 m: the most vehicles the fleet may have in use at any time (eq. (11))."""
    return params.in_use_share * fleet


def subsidy_per_vehicle(params: SubsidyPricingParams, subsidies: Subsidies, rounded_crf: bool = False) -> float:
    """ρ = C1 Sc1 CRF(kc) + C2 Sc2 CRF(ki): yearly subsidy per vehicle."""
    rate = params.interest_rate
    return params.vehicle_cost * subsidies.vehicle * capital_recovery(
        rate, params.vehicle_life, rounded_crf
    ) + params.infrastructure_cost * subsidies.infrastructure * capital_recovery(
        rate, params.infrastructure_life, rounded_crf
    )


def subsidy_outlay(
    params: SubsidyPricingParams, subsidies: Subsidies, fleet: float, rounded_crf: bool = False
) -> float:
    """O = m ρ: what the government pays a year for a fleet of m vehicles."""
    return fleet * subsidy_per_vehicle(params, subsidies, rounded_crf)


def cost_per_vehicle(params: SubsidyPricingParams, rounded_crf: bool = False) -> float:
    """The yearly cost of one vehicle, c = C1 CRF(kc) + C2 CRF(ki) + k2 Pp Sp CRF(kp) + C3 D."""
    rate = params.interest_rate
    return (
        params.vehicle_cost * capital_recovery(rate, params.vehicle_life, rounded_crf)
        + params.infrastructure_cost * capital_recovery(rate, params.infrastructure_life, rounded_crf)
        + params.parking_ratio
        * params.parking_cost
        * params.parking_area
        * capital_recovery(rate, params.parking_life, rounded_crf)
        + params.operating_cost * params.days
    )


def energy_cost(params: SubsidyPricingParams, km: Any) -> Any:
    """What the operator pays for the electricity of ``km`` kilometres: km W100e Pe / 100."""
    return km * params.ev_energy_per_100km * params.electricity_price / 100.0


def environmental_benefit(params: SubsidyPricingParams, km: float) -> float:
    """E = D km (W100 Pe η_es + C100 Pc η_cs) / 100 for ``km`` shared kilometres a day (§5.1)."""
    return (
        params.days
        * km
        * (
            params.fuel_energy_per_100km * params.electricity_price * params.energy_saving_share
            + params.carbon_per_100km * params.carbon_price * params.emission_cut_share
        )
        / 100.0
    )


def parking_benefit(params: SubsidyPricingParams, shared_trips: float, rounded_crf: bool = False) -> float:
    """P = (Σ x / n0) Pp Sp CRF(kp): the parking of the private cars the shared trips replace (§5.1)."""
    crf = capital_recovery(params.interest_rate, params.parking_life, rounded_crf)
    return shared_trips / params.trips_per_car * params.parking_cost * params.parking_area * crf


def operator_utility(
    params: SubsidyPricingParams,
    subsidies: Subsidies,
    fares: float,
    km: float,
    fleet: float,
    rounded_crf: bool = False,
) -> float:
    """U_O (eq. (10)) = D F + k1 m + O − D km W100e Pe/100 − m c for the day's fares F = Σ x (p_s s + p_t t).

    ``km`` are the day's shared kilometres Σ x s and ``fleet`` is m. The searches of the operator's level
    use its decomposition D Σ x (a·p − e) + m (k1 + ρ − c) (:mod:`~evgames.models.subsidy_pricing.problem`).
    """
    return (
        params.days * fares
        + params.grid_service_revenue * fleet
        + subsidy_outlay(params, subsidies, fleet, rounded_crf)
        - energy_cost(params, params.days * km)
        - fleet * cost_per_vehicle(params, rounded_crf)
    )


class Welfare(NamedTuple):
    """The government's figures for a trip count: fleet m, parking P, social S, outlay O and U_G (eq. (9))."""

    fleet: int
    parking: float
    social: float
    outlay: float
    government: float


def welfare(
    params: SubsidyPricingParams,
    subsidies: Subsidies,
    shared_trips: float,
    environmental: float,
    rounded_crf: bool = False,
) -> Welfare:
    """Fleet (eq. (17)), parking and social benefit, outlay O = m ρ and U_G = E + P − O, given E."""
    fleet = fleet_size(params, subsidies.total, shared_trips)
    parking = parking_benefit(params, shared_trips, rounded_crf)
    outlay = subsidy_outlay(params, subsidies, fleet, rounded_crf)
    return Welfare(
        fleet=fleet,
        parking=parking,
        social=parking + params.grid_service_revenue * fleet,
        outlay=outlay,
        government=environmental + parking - outlay,
    )
