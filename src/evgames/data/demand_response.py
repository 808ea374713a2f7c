"""Input schema of seed 002's demand response: a time-of-use tariff, elasticities and incentive tiers.

YAML contract::

    load: [24 hourly charging loads, MW]                 # the profile before any response
    tariff:                                              # price category of every hour (Table 3)
      valley: {price: 0.30, hours: [23, 0, 1, 2, 3, 4, 5, 6]}
      medium: {price: 0.575, hours: [11, 12, 13, 18, 19, 20, 21, 22]}
      peak:   {price: 0.85, hours: [7, 8, 9, 10, 14, 15, 16, 17]}
    purchase_cost: {valley: 0.29, medium: 0.556, peak: 0.853}     # yuan/kWh the platform pays
    elasticity:                                          # row: load category, column: price category (Table 4)
      peak:   {peak: -0.262, medium: 0.1334, valley: 0.1065}
      medium: {peak: 0.2685, medium: -0.116, valley: 0.0923}
      valley: {peak: 0.7894, medium: 0.115, valley: -0.0221}
    price_change: {valley: -0.01, medium: -0.019, peak: 0.003}     # yuan/kWh (Table 6)
    price_change_bounds: {valley: [-0.05, 0.05], medium: [-0.05, 0.05], peak: [-0.05, 0.05]}
    incentive:
      tiers: [{lower: 0, upper: 1.5, price: 0.03}, {lower: 1.5, upper: 3, price: 0.06}, ...]   # MW, yuan/kWh
      reduction_limit: [24 hourly limits, MW]            # or one number for every hour
      value: {valley: 0.0, medium: 0.05, peak: 0.25}     # optional: yuan/kWh a kWh less is worth

:meth:`DemandResponseData.to_dict` writes this mapping back with every default spelled out (each
tariff's hours in increasing order, one reduction limit per hour, the reduction value); ``from_file``
reads YAML or JSON and ``to_yaml`` writes YAML (:mod:`evgames.data.files`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evgames.data.files import DataFile
from evgames.data.validation import (
    DataError,
    require_fields,
    require_finite,
    require_keys,
    require_list,
    require_nonnegative,
    require_positive,
)

__all__ = ["CASES", "CATEGORIES", "DemandResponseData", "IncentiveTier"]

#: The cooperation cases of seed 002: no measure, the price change alone, the incentive alone, both.
CASES = ("none", "price", "incentive", "both")

CATEGORIES = ("valley", "medium", "peak")


@dataclass(frozen=True)
class IncentiveTier:
    """Reductions in (lower, upper] MW are paid ``price`` yuan per kWh (seed 002 eq. (17), Table 5)."""

    lower: float
    upper: float
    price: float


def check_tiers(tiers: Sequence[IncentiveTier]) -> None:
    """Tiers must tile (0, max] without overlaps or gaps, in increasing order."""
    if not tiers:
        raise DataError("incentive.tiers", [], "at least one tier is needed")
    previous_upper = 0.0
    for position, tier in enumerate(tiers):
        field_name = f"incentive.tiers[{position}]"
        if tier.upper <= tier.lower:
            raise DataError(field_name, (tier.lower, tier.upper), "upper must exceed lower")
        if abs(tier.lower - previous_upper) > 1e-12:
            problem = (
                "overlaps the previous tier" if tier.lower < previous_upper else "leaves a gap after the previous tier"
            )
            raise DataError(field_name, (tier.lower, tier.upper), f"{problem} (which ends at {previous_upper:g})")
        previous_upper = tier.upper


@dataclass(frozen=True)
class DemandResponseData(DataFile):
    """Validated data of seed 002 §5.1–5.2.

    Attributes:
        load: Hourly charging load before response Q_t (MW), 24 values.
        category: Price category of every hour.
        price: Tariff P_c (yuan/kWh) per category.
        purchase_cost: What the platform pays per kWh, per category.
        elasticity: e[z][j] — response of category-z load to category-j price (row z, column j).
        price_change: ΔP_c per category for the price-based case.
        price_change_bounds: (lower, upper) ΔP_c for tariff design.
        tiers: Incentive tiers (MW ranges, yuan/kWh).
        reduction_limit: Largest reduction per hour (MW).
        reduction_value: What one kWh less is worth to the platform, per category (yuan/kWh); defaults to
            the purchase cost minus the tariff where that is positive (the sale it would lose).
    """

    load: tuple[float, ...]
    category: tuple[str, ...]
    price: Mapping[str, float]
    purchase_cost: Mapping[str, float]
    elasticity: Mapping[str, Mapping[str, float]]
    price_change: Mapping[str, float]
    price_change_bounds: Mapping[str, tuple[float, float]]
    tiers: tuple[IncentiveTier, ...]
    reduction_limit: tuple[float, ...]
    reduction_value: Mapping[str, float]

    def __post_init__(self) -> None:
        check_tiers(self.tiers)
        for name in CATEGORIES:
            if self.price[name] + self.price_change[name] <= 0:
                raise DataError(
                    f"price_change.{name}",
                    self.price_change[name],
                    f"leaves no positive tariff: {self.price[name]:g} + change <= 0",
                )
        self._check_price_response()

    def _check_price_response(self) -> None:
        """No hour's load may fall below zero after the price change (eq. (15): Q*_t = Q_t (1 + Σ_j e_zj ΔP_j/P_j))."""
        relative = np.array([self.price_change[c] / self.price[c] for c in CATEGORIES])
        factors = dict(zip(CATEGORIES, 1.0 + self.elasticity_matrix() @ relative))
        for hour, (load, name) in enumerate(zip(self.load, self.category)):
            if load > 0 and factors[name] < 0:
                raise DataError(
                    "price_change",
                    dict(self.price_change),
                    f"drives the {name} load below zero by eq. (15): hour {hour} goes from {load:g} "
                    f"to {load * factors[name]:.4g} MW",
                )

    @property
    def hours(self) -> int:
        """Number of hourly periods."""
        return len(self.load)

    def elasticity_matrix(self) -> np.ndarray:
        """E as a (3, 3) array in :data:`CATEGORIES` order (row: load, column: price)."""
        return np.array([[self.elasticity[z][j] for j in CATEGORIES] for z in CATEGORIES])

    def hourly(self, values: Mapping[str, float]) -> np.ndarray:
        """A per-category mapping spread over the hours."""
        return np.array([values[c] for c in self.category], dtype=float)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> DemandResponseData:
        """Build from the YAML contract (see module docstring)."""
        require_fields(
            "demand_response",
            record,
            ("load", "tariff", "purchase_cost", "elasticity", "price_change", "incentive"),
            ("price_change_bounds", "source", "published", "readings", "benefits", "contribution_rate"),
        )
        load = record["load"]
        if not isinstance(load, list) or not load:
            raise DataError("load", load, "must be a list of hourly loads (MW)")
        hours = len(load)
        loads = tuple(require_nonnegative(f"load[{t}]", value) for t, value in enumerate(load))
        require_keys("tariff", record["tariff"], CATEGORIES)
        category: list[str | None] = [None] * hours
        prices = {}
        for name in CATEGORIES:
            block = record["tariff"][name]
            require_fields(f"tariff.{name}", block, ("price", "hours"))
            prices[name] = require_positive(f"tariff.{name}.price", block["price"])
            for hour in require_list(f"tariff.{name}.hours", block["hours"], "hours of the day", allow_empty=True):
                if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour < hours:
                    raise DataError(f"tariff.{name}.hours", hour, f"hours run from 0 to {hours - 1}")
                if category[hour] is not None:
                    raise DataError(f"tariff.{name}.hours", hour, f"hour already in the {category[hour]} period")
                category[hour] = name
        missing = [hour for hour, name in enumerate(category) if name is None]
        if missing:
            raise DataError("tariff", missing, "these hours have no price category")
        for block_name in ("purchase_cost", "price_change"):
            require_keys(block_name, record[block_name], CATEGORIES)
        purchase_cost = {c: require_nonnegative(f"purchase_cost.{c}", record["purchase_cost"][c]) for c in CATEGORIES}
        require_keys("elasticity", record["elasticity"], CATEGORIES)
        elasticity = {}
        for row in CATEGORIES:
            require_keys(f"elasticity.{row}", record["elasticity"][row], CATEGORIES)
            elasticity[row] = {
                col: require_finite(f"elasticity.{row}.{col}", record["elasticity"][row][col]) for col in CATEGORIES
            }
        bounds_record = record.get("price_change_bounds", {c: [-0.05, 0.05] for c in CATEGORIES})
        require_keys("price_change_bounds", bounds_record, CATEGORIES)
        bounds = {}
        for name in CATEGORIES:
            pair = require_list(f"price_change_bounds.{name}", bounds_record[name], "[lower, upper] changes")
            if len(pair) != 2:
                raise DataError(f"price_change_bounds.{name}", pair, "must be a pair [lower, upper]")
            low, high = (require_finite(f"price_change_bounds.{name}[{i}]", v) for i, v in enumerate(pair))
            if low > high or prices[name] + low <= 0:
                raise DataError(f"price_change_bounds.{name}", (low, high), "need lower <= upper and a positive price")
            bounds[name] = (low, high)
        incentive = record["incentive"]
        require_fields("incentive", incentive, ("tiers", "reduction_limit"), ("value",))
        tiers = []
        for position, tier in enumerate(require_list("incentive.tiers", incentive["tiers"], "{lower, upper, price}")):
            require_fields(f"incentive.tiers[{position}]", tier, ("lower", "upper", "price"))
            tiers.append(
                IncentiveTier(
                    lower=require_nonnegative(f"incentive.tiers[{position}].lower", tier["lower"]),
                    upper=require_positive(f"incentive.tiers[{position}].upper", tier["upper"]),
                    price=require_nonnegative(f"incentive.tiers[{position}].price", tier["price"]),
                )
            )
        if "value" in incentive:
            require_keys("incentive.value", incentive["value"], CATEGORIES)
            value = {c: require_nonnegative(f"incentive.value.{c}", incentive["value"][c]) for c in CATEGORIES}
        else:
            value = {c: max(0.0, purchase_cost[c] - prices[c]) for c in CATEGORIES}
        limit = incentive["reduction_limit"]
        if isinstance(limit, list):
            if len(limit) != hours:
                raise DataError("incentive.reduction_limit", limit, f"needs one value or {hours}, got {len(limit)}")
            limits = limit
        else:
            limits = [require_nonnegative("incentive.reduction_limit", limit)] * hours
        return cls(
            load=loads,
            category=tuple(str(name) for name in category),
            price=prices,
            purchase_cost=purchase_cost,
            elasticity=elasticity,
            price_change={c: require_finite(f"price_change.{c}", record["price_change"][c]) for c in CATEGORIES},
            price_change_bounds=bounds,
            tiers=tuple(tiers),
            reduction_limit=tuple(
                require_nonnegative(f"incentive.reduction_limit[{t}]", v) for t, v in enumerate(limits)
            ),
            reduction_value=value,
        )

    def to_dict(self) -> dict[str, Any]:
        """The YAML contract (module docstring) as plain Python; :meth:`from_dict` reads it back unchanged."""
        return {
            "load": [float(value) for value in self.load],
            "tariff": {
                c: {"price": float(self.price[c]), "hours": [t for t, name in enumerate(self.category) if name == c]}
                for c in CATEGORIES
            },
            "purchase_cost": _per_category(self.purchase_cost),
            "elasticity": {z: _per_category(self.elasticity[z]) for z in CATEGORIES},
            "price_change": _per_category(self.price_change),
            "price_change_bounds": {c: [float(bound) for bound in self.price_change_bounds[c]] for c in CATEGORIES},
            "incentive": {
                "tiers": [
                    {"lower": float(tier.lower), "upper": float(tier.upper), "price": float(tier.price)}
                    for tier in self.tiers
                ],
                "reduction_limit": [float(limit) for limit in self.reduction_limit],
                "value": _per_category(self.reduction_value),
            },
        }


def _per_category(values: Mapping[str, float]) -> dict[str, float]:
    """``{category: value}`` in :data:`CATEGORIES` order, values as plain floats."""
    return {c: float(values[c]) for c in CATEGORIES}
