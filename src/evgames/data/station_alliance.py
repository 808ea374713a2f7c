"""Input schema of the station-alliance model (seed 001 §4, generalised to any number of stations).

YAML contract::

    period_hours: 1             # Δt
    platform_cost: 130          # Q, per day, for any coalition of two or more stations
    compensation: 5             # f per diverted vehicle (default for every pair)
    travel_cost: 0              # optional default per diverted vehicle
    stations:
      - {name: S1, capacity: 50, operating_cost: 600, profit_per_vehicle: 30, arrivals: [78, 63, 66, 74, 56, 58]}
      - {name: S2, capacity: 50, operating_cost: 400, profit_per_vehicle: 30, arrivals: [18, 22, 30, 28, 28, 30]}
    diversion: [{from: S1, to: S2, compensation: 5, max_share: 1.0, travel_cost: 0}]   # optional overrides
    allocation:                 # optional: seed 001's modified Shapley (θ per station, weights β)
      factors: [brand influence, contribution, risk bearing]
      scores: {S1: [0.686, 0.367, 0.573], S2: [0.314, 0.633, 0.427]}
      weights: [0.5, 0.3, 0.2]
      scale: surplus            # X in eq. (16): surplus (v(N) − Σ v(i)), grand (v(N), the default) or a number

:meth:`StationAllianceData.to_dict` writes this mapping back: the most common compensation and travel
cost become the defaults, and ``diversion`` lists only the pairs whose terms differ from them (every
ordered pair has terms once read). ``from_file`` reads YAML or JSON and ``to_yaml`` writes YAML
(:mod:`evgames.data.files`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evgames.data.files import DataFile
from evgames.data.validation import (
    CORRECTION_SCALES,
    DEFAULT_CORRECTION_SCALE,
    DataError,
    require_fields,
    require_finite,
    require_list,
    require_mapping,
    require_nonnegative,
    require_positive,
    require_unique,
    require_unit_interval,
    require_weights,
)

__all__ = ["Diversion", "Station", "StationAllianceData", "allocation_block"]


def allocation_block(block: Any, names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Check the optional modified-Shapley block (module docstring) and return it with numbers as floats.

    Every station needs one non-negative score per factor; the weights λ (one per factor) must be
    non-negative and sum to 1; ``scale`` is ``surplus``, ``grand`` (the default, X = v(N) as eq. (16) states) or a
    finite number.
    """
    require_fields("allocation", block, ("factors", "scores", "weights"), ("scale",))
    factors = require_list("allocation.factors", block["factors"], "factor names")
    require_unique("allocation.factors", factors)
    scores = require_mapping("allocation.scores", block["scores"], "station names to scores")
    for name in scores:
        if name not in names:
            raise DataError(f"allocation.scores.{name}", scores[name], f"unknown station; stations are {list(names)}")
    table = {}
    for name in names:
        if name not in scores:
            raise DataError(f"allocation.scores.{name}", None, "missing: every station needs a row of scores")
        row = require_list(f"allocation.scores.{name}", scores[name], "scores, one per factor")
        if len(row) != len(factors):
            raise DataError(f"allocation.scores.{name}", row, f"needs one score per factor ({len(factors)})")
        table[name] = [require_nonnegative(f"allocation.scores.{name}[{i}]", value) for i, value in enumerate(row)]
    weights = require_weights("allocation.weights", block["weights"], len(factors))
    scale = block.get("scale", DEFAULT_CORRECTION_SCALE)
    if not (isinstance(scale, str) and scale in CORRECTION_SCALES):
        if isinstance(scale, str):
            raise DataError("allocation.scale", scale, f"use {' or '.join(CORRECTION_SCALES)} or a number")
        scale = require_finite("allocation.scale", scale)
    return {"factors": list(factors), "scores": table, "weights": list(weights), "scale": scale}


@dataclass(frozen=True)
class Station:
    """One energy station.

    Attributes:
        name: Station name (unique, no commas).
        capacity: Vehicles served per hour, η in Table 1 of seed 001.
        operating_cost: Cost per day, C_i in eq. (2)–(3).
        profit_per_vehicle: Average profit per vehicle served, p.
        arrivals: Vehicles arriving in each period, x_t.
    """

    name: str
    capacity: float
    operating_cost: float
    profit_per_vehicle: float
    arrivals: tuple[float, ...]


@dataclass(frozen=True)
class Diversion:
    """Terms on which vehicles may move from one station to another.

    Attributes:
        source, target: Station names.
        compensation: Paid per diverted vehicle, f in eq. (2).
        max_share: Largest share of the source's overflow willing to move (0–1).
        travel_cost: Further cost per diverted vehicle.
    """

    source: str
    target: str
    compensation: float
    max_share: float = 1.0
    travel_cost: float = 0.0


@dataclass(frozen=True)
class StationAllianceData(DataFile):
    """Validated data of the station-alliance model.

    Attributes:
        stations: The stations, in the order coalitions are named.
        period_hours: Δt, hours per period.
        platform_cost: Q, added cost of any coalition of two or more stations.
        diversions: Terms for every ordered pair of distinct stations (defaults filled in).
        allocation: Optional modified-Shapley block (see the module docstring), checked by :func:`allocation_block`.
    """

    stations: tuple[Station, ...]
    period_hours: float
    platform_cost: float
    diversions: tuple[Diversion, ...]
    allocation: Mapping[str, Any] | None = field(default=None)

    def __post_init__(self) -> None:
        if not self.stations:
            raise DataError("stations", [], "at least one station is needed")
        names = require_unique("stations.name", (s.name for s in self.stations))
        periods = {len(s.arrivals) for s in self.stations}
        if len(periods) != 1:
            raise DataError("stations.arrivals", sorted(periods), "every station needs the same number of periods")
        for position, name in enumerate(names):
            if "," in name:
                raise DataError(f"stations[{position}].name", name, "a station name may not contain a comma")
        known = set(names)
        for diversion in self.diversions:
            for end in (diversion.source, diversion.target):
                if end not in known:
                    raise DataError("diversion", end, f"unknown station; stations are {list(names)}")
            if diversion.source == diversion.target:
                raise DataError("diversion", diversion.source, "a station cannot divert to itself")
        if self.allocation is not None:
            object.__setattr__(self, "allocation", allocation_block(self.allocation, names))

    @property
    def names(self) -> tuple[str, ...]:
        """Station names in input order."""
        return tuple(s.name for s in self.stations)

    @property
    def periods(self) -> int:
        """Number of periods."""
        return len(self.stations[0].arrivals)

    def station(self, name: str) -> Station:
        """The station called ``name``."""
        return next(s for s in self.stations if s.name == name)

    def overflow(self, name: str) -> tuple[float, ...]:
        """Arrivals beyond what the station serves alone, max(0, x_t − η Δt), per period."""
        station = self.station(name)
        return tuple(max(0.0, a - station.capacity * self.period_hours) for a in station.arrivals)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> StationAllianceData:
        """Build from the YAML contract (see module docstring)."""
        require_fields(
            "station_alliance",
            record,
            ("stations", "compensation"),
            (
                "period_hours",
                "platform_cost",
                "travel_cost",
                "diversion",
                "allocation",
                "source",
                "published",
                "readings",
            ),
        )
        raw_stations = require_list("stations", record["stations"], "stations")
        stations = []
        for position, raw in enumerate(raw_stations):
            field_name = f"stations[{position}]"
            require_fields(field_name, raw, ("name", "capacity", "operating_cost", "profit_per_vehicle", "arrivals"))
            arrivals = require_list(f"{field_name}.arrivals", raw["arrivals"], "vehicle counts")
            stations.append(
                Station(
                    name=str(raw["name"]),
                    capacity=require_positive(f"{field_name}.capacity", raw["capacity"]),
                    operating_cost=require_nonnegative(f"{field_name}.operating_cost", raw["operating_cost"]),
                    profit_per_vehicle=require_finite(f"{field_name}.profit_per_vehicle", raw["profit_per_vehicle"]),
                    arrivals=tuple(
                        require_nonnegative(f"{field_name}.arrivals[{t}]", a) for t, a in enumerate(arrivals)
                    ),
                )
            )
        compensation = require_nonnegative("compensation", record["compensation"])
        travel = require_nonnegative("travel_cost", record.get("travel_cost", 0.0))
        overrides: dict[tuple[str, str], Diversion] = {}
        raw_diversions = record.get("diversion") or []
        for position, raw in enumerate(require_list("diversion", raw_diversions, "{from, to, ...}", allow_empty=True)):
            field_name = f"diversion[{position}]"
            require_fields(field_name, raw, ("from", "to"), ("compensation", "max_share", "travel_cost"))
            pair = (str(raw["from"]), str(raw["to"]))
            if pair in overrides:
                raise DataError(field_name, f"{pair[0]} -> {pair[1]}", "this pair is listed twice")
            overrides[pair] = Diversion(
                source=pair[0],
                target=pair[1],
                compensation=require_nonnegative(f"{field_name}.compensation", raw.get("compensation", compensation)),
                max_share=require_unit_interval(f"{field_name}.max_share", raw.get("max_share", 1.0)),
                travel_cost=require_nonnegative(f"{field_name}.travel_cost", raw.get("travel_cost", travel)),
            )
        names = [s.name for s in stations]
        diversions = tuple(
            overrides.get((a, b), Diversion(a, b, compensation, 1.0, travel)) for a in names for b in names if a != b
        )
        unknown = [pair for pair in overrides if pair[0] not in names or pair[1] not in names]
        if unknown:
            route = f"{unknown[0][0]} -> {unknown[0][1]}"
            raise DataError("diversion", route, f"unknown station; stations are {names}")
        period_hours = require_positive("period_hours", record.get("period_hours", 1.0))
        return cls(
            stations=tuple(stations),
            period_hours=period_hours,
            platform_cost=require_nonnegative("platform_cost", record.get("platform_cost", 0.0)),
            diversions=diversions,
            allocation=record.get("allocation"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The YAML contract (module docstring) as plain Python; :meth:`from_dict` reads it back unchanged.

        ``compensation`` and ``travel_cost`` are the values most pairs share (the first of equally common
        ones; 0 without pairs) and ``diversion`` lists each pair with the terms that differ from
        ``{compensation, max_share: 1, travel_cost}``, so that the defaults :meth:`from_dict` fills in
        come back as they were.
        """
        compensation = _most_common(d.compensation for d in self.diversions)
        travel = _most_common(d.travel_cost for d in self.diversions)
        diversion = []
        for d in self.diversions:
            terms = {
                key: float(value)
                for key, value, default in (
                    ("compensation", d.compensation, compensation),
                    ("max_share", d.max_share, 1.0),
                    ("travel_cost", d.travel_cost, travel),
                )
                if value != default
            }
            if terms:
                diversion.append({"from": d.source, "to": d.target, **terms})
        record: dict[str, Any] = {
            "period_hours": float(self.period_hours),
            "platform_cost": float(self.platform_cost),
            "compensation": compensation,
            "travel_cost": travel,
            "stations": [
                {
                    "name": s.name,
                    "capacity": float(s.capacity),
                    "operating_cost": float(s.operating_cost),
                    "profit_per_vehicle": float(s.profit_per_vehicle),
                    "arrivals": [float(a) for a in s.arrivals],
                }
                for s in self.stations
            ],
        }
        if diversion:
            record["diversion"] = diversion
        if self.allocation is not None:
            block = self.allocation
            record["allocation"] = {
                "factors": list(block["factors"]),
                "scores": {name: [float(v) for v in block["scores"][name]] for name in self.names},
                "weights": [float(w) for w in block["weights"]],
                "scale": block["scale"] if isinstance(block["scale"], str) else float(block["scale"]),
            }
        return record


def _most_common(values: Any) -> float:
    """The value that occurs most often (the first of equally frequent ones) as a float; 0 when there is none."""
    counts = Counter(float(value) for value in values)
    return counts.most_common(1)[0][0] if counts else 0.0
