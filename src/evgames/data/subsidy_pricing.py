"""Parameters and trips of seed 003's subsidy/pricing game (Table 1 and §5), named in words.

Every parameter has a name, the paper's symbol as its text writes it in plain ASCII, a value and a unit;
``--param NAME=VALUE`` on the command line and :meth:`SubsidyPricingParams.with_overrides` change them by
name. Trips are a table with columns ``distance_km, duration_min, start_min, wait_min, value_of_time``
(CNY/min), read from CSV or drawn by :func:`synthetic_trips`.

:class:`SubsidyPricingData` is the family's whole input (parameters, trips, capital recovery reading) with
a dictionary/file form; :class:`Subsidies` is a pair of subsidy rates (Sc1, Sc2). As a mapping::

    params: {base_fleet: 50}          # overrides of Table 1 by name (optional)
    trips: trips.csv                  # a CSV path (relative to the file), a list of records,
                                      # or {synthetic: 5000, seed: 0} (the default)
    rounded_crf: false                # capital recovery factors to 3 decimals, as the paper's tables

:meth:`SubsidyPricingData.to_dict` writes the trips as records (so a written file stands alone) and only
the parameters that differ from Table 1; ``to_yaml`` writes YAML (:mod:`evgames.data.files`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from evgames.data.files import DataFile
from evgames.data.validation import (
    DataError,
    load_mapping,
    read_table,
    require_fields,
    require_finite,
    require_integer,
    require_list,
    require_mapping,
    require_numeric_columns,
    require_range,
)

__all__ = [
    "MAX_SYNTHETIC_TRIPS",
    "NO_SUBSIDIES",
    "OPERATOR_METHODS",
    "PARAMETERS",
    "TRIP_COLUMNS",
    "UPPER_METHODS",
    "Subsidies",
    "SubsidyPricingData",
    "SubsidyPricingParams",
    "load_trips",
    "synthetic_trips",
]

#: Methods for the operator's level (``method=``): the arrangement sweep, its MILP oracle, the smooth
#: variant with Ipopt, the paper's particle swarm.
OPERATOR_METHODS = ("exact", "milp", "expected", "pso")
#: Methods for the government's level against the operator's exact response (``upper=``).
UPPER_METHODS = ("exact", "grid")

#: name -> (symbol as the paper writes it, unit, description). Values are the dataclass defaults.
PARAMETERS: dict[str, tuple[str, str, str]] = {
    "fuel_energy_per_100km": ("W100", "kWh", "energy of a fuel car per 100 km, as electric energy"),
    "electricity_price": ("Pe", "CNY/kWh", "electricity price"),
    "energy_saving_share": ("eta_es", "-", "energy saved by an EV relative to a fuel car"),
    "emission_cut_share": ("eta_cs", "-", "emissions cut by an EV relative to a fuel car"),
    "carbon_per_100km": ("C100", "kg", "carbon emitted by a fuel car per 100 km"),
    "carbon_price": ("Pc", "CNY/kg", "carbon market price"),
    "trips_per_car": ("n0", "trips/day", "average daily trips of a private car"),
    "parking_cost": ("Pp", "CNY/m2", "cost of parking space"),
    "parking_area": ("Sp", "m2", "area of one parking space"),
    "vehicle_cost": ("C1", "CNY", "purchase cost of a shared EV"),
    "infrastructure_cost": ("C2", "CNY", "infrastructure cost per shared EV"),
    "operating_cost": ("C3", "CNY/day", "daily operating cost per vehicle"),
    "days": ("D", "days/year", "days per year"),
    "grid_service_revenue": ("k1", "CNY/vehicle/year", "grid ancillary-service revenue per vehicle"),
    "parking_ratio": ("k2", "-", "parking spaces per vehicle"),
    "ev_energy_per_100km": ("W100e", "kWh", "energy of a shared EV per 100 km"),
    "interest_rate": ("i", "-", "interest rate"),
    "vehicle_life": ("kc", "years", "lifetime of a shared EV"),
    "infrastructure_life": ("ki", "years", "lifetime of infrastructure"),
    "parking_life": ("kp", "years", "lifetime of a parking space"),
    "value_of_time_low": ("theta1", "CNY/min", "lower limit of the users' value of time"),
    "value_of_time_high": ("theta2", "CNY/min", "upper limit of the users' value of time"),
    "wait_low": ("theta3", "min", "lower limit of the waiting time"),
    "wait_high": ("theta4", "min", "upper limit of the waiting time"),
    "private_cost_per_km": ("pp", "CNY/km", "private car expenses per km"),
    "comfort_sharing": ("COMe", "CNY/km", "comfort cost coefficient of a shared EV"),
    "comfort_private": ("COMp", "CNY/km", "comfort cost coefficient of a private car"),
    "base_fleet": ("m0", "vehicles", "fleet at the basic operation scale"),
    "subsidy_fleet_response": ("epsilon", "vehicles", "fleet response to the subsidy rates"),
    "usage_fleet_response": ("k3", "vehicles/trip", "fleet response to daily shared trips"),
    "vehicle_subsidy_max": ("Sc1max", "-", "upper limit of the vehicle subsidy rate"),
    "infrastructure_subsidy_max": ("Sc2max", "-", "upper limit of the infrastructure subsidy rate"),
    "price_per_km_max": ("psmax", "CNY/km", "upper limit of the price per km"),
    "price_per_min_max": ("ptmax", "CNY/min", "upper limit of the price per minute"),
    "in_use_share": ("0.95", "-", "largest share of the fleet in use at any time (eq. (11))"),
    "daily_trips": ("nt", "trips/day", "average daily motor-vehicle trips of the town"),
}

#: Parameters that must be > 0 (rates and lifetimes divide in the capital recovery factors; days,
#: trips per car and the price caps scale or bound everything else). Every other parameter is >= 0.
POSITIVE = (
    "interest_rate",
    "vehicle_life",
    "infrastructure_life",
    "parking_life",
    "days",
    "trips_per_car",
    "price_per_km_max",
    "price_per_min_max",
    "in_use_share",
)
#: Shares and subsidy-rate caps: at most 1 (a subsidy rate is a share of the cost; eq. (11) a share of the fleet).
AT_MOST_ONE = (
    "energy_saving_share",
    "emission_cut_share",
    "vehicle_subsidy_max",
    "infrastructure_subsidy_max",
    "in_use_share",
)


class Subsidies(NamedTuple):
    """Subsidy rates (Sc1, Sc2): the shares of a vehicle's and of its infrastructure's cost the government pays.

    A plain pair (it unpacks as ``first, second``); :meth:`SubsidyPricingParams.subsidies` checks one
    against the caps Sc1max, Sc2max.
    """

    vehicle: float = 0.0
    infrastructure: float = 0.0

    @property
    def total(self) -> float:
        """σ = Sc1 + Sc2: the fleet responds to this sum only (eq. (17))."""
        return self.vehicle + self.infrastructure

    def to_dict(self) -> dict[str, float]:
        """``{"vehicle": Sc1, "infrastructure": Sc2}``."""
        return {"vehicle": self.vehicle, "infrastructure": self.infrastructure}


#: Sc1 = Sc2 = 0.
NO_SUBSIDIES = Subsidies()


@dataclass(frozen=True)
class SubsidyPricingParams:
    """Table 1 and §5 of seed 003 (see :data:`PARAMETERS` for symbols and units)."""

    fuel_energy_per_100km: float = 76.662
    electricity_price: float = 0.81
    energy_saving_share: float = 0.505
    emission_cut_share: float = 0.287
    carbon_per_100km: float = 14.955
    carbon_price: float = 0.15
    trips_per_car: float = 2.0
    parking_cost: float = 2500.0
    parking_area: float = 30.0
    vehicle_cost: float = 134800.0
    infrastructure_cost: float = 30000.0
    operating_cost: float = 150.0
    days: float = 365.0
    grid_service_revenue: float = 1277.5
    parking_ratio: float = 1.3
    ev_energy_per_100km: float = 35.001
    interest_rate: float = 0.10
    vehicle_life: float = 4.0
    infrastructure_life: float = 20.0
    parking_life: float = 10.0
    value_of_time_low: float = 1 / 6
    value_of_time_high: float = 5 / 6
    wait_low: float = 5.0
    wait_high: float = 15.0
    private_cost_per_km: float = 2.63
    comfort_sharing: float = 0.3
    comfort_private: float = 0.09
    base_fleet: float = 40.0
    subsidy_fleet_response: float = 16.67
    usage_fleet_response: float = 0.05
    vehicle_subsidy_max: float = 0.5
    infrastructure_subsidy_max: float = 0.3
    price_per_km_max: float = 5.0
    price_per_min_max: float = 0.4
    in_use_share: float = 0.95
    daily_trips: float = 5000.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = require_finite(item.name, getattr(self, item.name))
            if value < 0:
                raise DataError(item.name, value, "must not be negative")
            if value == 0 and item.name in POSITIVE:
                raise DataError(item.name, value, "must be positive")
            if value > 1 and item.name in AT_MOST_ONE:
                raise DataError(item.name, value, "must lie in [0, 1] (a share)")
        if self.value_of_time_low > self.value_of_time_high:
            raise DataError("value_of_time_low", self.value_of_time_low, "exceeds value_of_time_high")
        if self.wait_low > self.wait_high:
            raise DataError("wait_low", self.wait_low, "exceeds wait_high")

    def with_overrides(self, overrides: Mapping[str, Any]) -> SubsidyPricingParams:
        """A copy with parameters changed by name (values as numbers or numeric strings)."""
        known = {item.name for item in fields(self)}
        for name in overrides:
            if name not in known:
                hint = "unknown parameter; `evgames params subsidy-pricing` lists them"
                raise DataError(f"param {name}", overrides[name], hint)
        return replace(self, **{name: require_finite(f"param {name}", value) for name, value in overrides.items()})

    def subsidies(self, vehicle: Any, infrastructure: Any, field: str = "subsidy") -> Subsidies:
        """Subsidy rates (Sc1, Sc2) checked against [0, Sc1max] and [0, Sc2max]; errors name ``field``."""
        caps = (self.vehicle_subsidy_max, self.infrastructure_subsidy_max)
        return Subsidies(
            require_range(f"{field} Sc1", vehicle, 0.0, caps[0], "the cap vehicle_subsidy_max"),
            require_range(f"{field} Sc2", infrastructure, 0.0, caps[1], "the cap infrastructure_subsidy_max"),
        )

    def overrides(self) -> dict[str, float]:
        """The parameters that differ from Table 1's defaults, by name (what :meth:`with_overrides` takes)."""
        default = SubsidyPricingParams()
        return {
            item.name: getattr(self, item.name)
            for item in fields(self)
            if getattr(self, item.name) != getattr(default, item.name)
        }

    def table(self) -> pd.DataFrame:
        """One row per parameter: name, symbol, value, unit, description."""
        rows = [
            {"name": name, "symbol": symbol, "value": getattr(self, name), "unit": unit, "description": text}
            for name, (symbol, unit, text) in PARAMETERS.items()
        ]
        return pd.DataFrame(rows)


TRIP_COLUMNS = ("distance_km", "duration_min", "start_min", "wait_min", "value_of_time")


#: Most synthetic trips drawn at once (5 columns of float64: 40 MB).
MAX_SYNTHETIC_TRIPS = 1_000_000


def load_trips(path: str | Path, field: str = "trips-csv") -> pd.DataFrame:
    """Read and check a trips CSV (columns :data:`TRIP_COLUMNS`); errors name the row and the column."""
    return _checked_trips(field, read_table(field, path), str(path))


def _checked_trips(field: str, frame: pd.DataFrame, source: Any) -> pd.DataFrame:
    """The trip columns of a table as floats: each present, finite, non-negative; start times within a day."""
    missing = [column for column in TRIP_COLUMNS if column not in frame.columns]
    if missing:
        raise DataError(field, source, f"missing columns {missing}; need {list(TRIP_COLUMNS)}")
    trips = require_numeric_columns(field, frame, TRIP_COLUMNS)
    for column in TRIP_COLUMNS:
        negative = np.flatnonzero(trips[column].to_numpy() < 0)
        if negative.size:
            row = int(negative[0])
            value = float(trips[column].iloc[row])
            raise DataError(f"{field} row {row + 1}, column {column}", value, "must not be negative")
    late = np.flatnonzero(trips["start_min"].to_numpy() >= 1440)
    if late.size:
        row = int(late[0])
        raise DataError(
            f"{field} row {row + 1}, column start_min",
            float(trips["start_min"].iloc[row]),
            "start times are minutes of a day (< 1440)",
        )
    return trips.reset_index(drop=True)


def synthetic_trips(count: int = 5000, seed: int = 0, params: SubsidyPricingParams | None = None) -> pd.DataFrame:
    """Seeded trips standing in for the paper's NHTS sample (not published).

    * distance ~ lognormal with median 7 km and σ = 1.2 (many short trips, a long tail), clipped to
      [1, 150] km;
    * speed rises with distance: 20 km/h + 30·ln(1 + d/10) km/h, times lognormal noise σ = 0.15;
    * start times from a mixture: 35 % around 8:00 (σ 1 h), 35 % around 18:00 (σ 1.5 h), 30 % uniform;
    * waiting time ~ U(θ3, θ4) and value of time ~ U(θ1, θ2) CNY/min, as the paper states.

    Calibration (a grid search over the median, σ and the speed curve, measured with seed 0): at the
    paper's scenario-1 prices (1.683 CNY/km, 0.175 CNY/min) about 40 % of the trips choose sharing — the
    paper's 40.16 % — and the mean shared trip is ~28 km and ~27 min, what the paper's published
    environmental benefit and operator utility imply for its 2,008 shared trips (56,289 km a day by the
    environmental-benefit formula).
    """
    count = require_integer("trips", count, 1, MAX_SYNTHETIC_TRIPS)
    seed = require_integer("seed", seed, 0)
    params = params or SubsidyPricingParams()
    rng = np.random.default_rng(seed)
    distance = np.clip(rng.lognormal(np.log(7.0), 1.2, count), 1.0, 150.0)
    speed = (20.0 + 30.0 * np.log1p(distance / 10.0)) * rng.lognormal(0.0, 0.15, count)
    duration = distance / speed * 60.0
    group = rng.random(count)
    start = np.where(
        group < 0.35,
        rng.normal(8 * 60, 60, count),
        np.where(group < 0.70, rng.normal(18 * 60, 90, count), rng.uniform(0, 1440, count)),
    )
    return pd.DataFrame(
        {
            "distance_km": distance.round(3),
            "duration_min": duration.round(3),
            "start_min": np.mod(start, 1440).round(1),
            "wait_min": rng.uniform(params.wait_low, params.wait_high, count).round(3),
            "value_of_time": rng.uniform(params.value_of_time_low, params.value_of_time_high, count).round(5),
        }
    )


@dataclass(frozen=True, eq=False)
class SubsidyPricingData(DataFile):
    """Seed 003's input: the parameters, the trips and the capital recovery reading.

    Attributes:
        params: Table 1 and §5 (:class:`SubsidyPricingParams`).
        trips: One row per trip with the columns :data:`TRIP_COLUMNS`.
        rounded_crf: Capital recovery factors rounded to 3 decimals, as the paper's tables use them.
    """

    params: SubsidyPricingParams
    trips: pd.DataFrame
    rounded_crf: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.params, SubsidyPricingParams):
            raise DataError("params", self.params, "must be SubsidyPricingParams")
        if not isinstance(self.trips, pd.DataFrame):
            raise DataError("trips", type(self.trips).__name__, "must be a table (pandas DataFrame)")
        missing = [column for column in TRIP_COLUMNS if column not in self.trips.columns]
        if missing:
            raise DataError("trips", list(self.trips.columns), f"missing columns {missing}")
        if not isinstance(self.rounded_crf, bool):
            raise DataError("rounded_crf", self.rounded_crf, "must be true or false")

    @classmethod
    def from_dict(cls, record: Mapping[str, Any], base: str | Path | None = None) -> SubsidyPricingData:
        """Build from the mapping of the module docstring; a trips CSV path is read relative to ``base``."""
        require_fields("subsidy-pricing", record, (), ("params", "trips", "rounded_crf"))
        params = SubsidyPricingParams().with_overrides(require_mapping("params", record.get("params", {})))
        rounded = record.get("rounded_crf", False)
        if not isinstance(rounded, bool):
            raise DataError("rounded_crf", rounded, "must be true or false")
        return cls(params, _trips_from(record.get("trips", {"synthetic": 5000}), params, base), rounded)

    @classmethod
    def from_file(cls, path: str | Path) -> SubsidyPricingData:
        """Load from a YAML (or JSON) file; a trips CSV path in it is relative to the file."""
        return cls.from_dict(load_mapping(path), Path(path).parent)

    def to_dict(self) -> dict[str, Any]:
        """The mapping :meth:`from_dict` reads: parameter overrides, trips as records, the CRF reading.

        Plain Python throughout; :meth:`from_dict` reads it back to equal parameters and trips (the class
        compares by identity, as it holds a table: compare ``to_dict()`` instead).
        """
        return {
            "params": {name: float(value) for name, value in self.params.overrides().items()},
            "trips": self.trips[list(TRIP_COLUMNS)].to_dict(orient="records"),  # pandas boxes to Python numbers
            "rounded_crf": self.rounded_crf,
        }


def _trips_from(spec: Any, params: SubsidyPricingParams, base: str | Path | None) -> pd.DataFrame:
    """Trips from a CSV path, a list of records or ``{synthetic: count, seed: seed}``."""
    if isinstance(spec, (str, Path)):
        path = Path(spec)
        return load_trips(path if base is None or path.is_absolute() else Path(base) / path, "trips")
    if isinstance(spec, Mapping):
        require_fields("trips", spec, ("synthetic",), ("seed",))
        return synthetic_trips(spec["synthetic"], spec.get("seed", 0), params)
    records = require_list("trips", spec, "trip records (or a CSV path, or {synthetic: N, seed: S})")
    for position, record in enumerate(records):
        require_fields(f"trips[{position}]", record, TRIP_COLUMNS)
    frame = pd.DataFrame.from_records(records, columns=list(TRIP_COLUMNS))
    return _checked_trips("trips", frame.astype({c: str for c in TRIP_COLUMNS if frame[c].dtype == object}), "records")
