"""Seed 003's published figures (Tables 2–4, §5.2) against the model's formulas.

From the paper's own decisions (prices, subsidy rates) and trip counts the formulas give the sharing
ratio, the fleet m = ⌊m0 + ε(Sc1 + Sc2) + k3·trips⌋, the social benefit (trips/n0)·Pp·Sp·CRF(kp) + k1·m,
the government's U_G = E + P − O (with the environmental benefit E as printed, since it needs the trips'
kilometres), and Table 4 from Table 3's 0 % column (scaling the subsidies changes only the outlay O
while m stays the same). Trip counts, U_O and E need the unpublished NHTS trips; they are computed on
the synthetic trips and listed as not reproducible. Table 3 itself shows that raising both prices by 1 %
raises the operator's benefit, so the published point is not an operator best response; and the
published Sc2 = 0.3835 breaks the paper's own cap Sc2max = 0.3.

Setting a reading may change: ``rounded_crf`` (capital recovery factors to 3 decimals).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import pandas as pd

from evgames.data.shipped import load_case
from evgames.data.subsidy_pricing import Subsidies, SubsidyPricingParams, synthetic_trips
from evgames.models.subsidy_pricing import OperatorProblem, evaluate, welfare
from evgames.papers.common import case_ledger, check_settings
from evgames.verification.ledger import LedgerRow

__all__ = ["CASE", "PAPER", "SETTINGS", "compute", "ledger"]

PAPER = "003"
CASE = "seed003"
SETTINGS = ("rounded_crf",)
COLUMNS = {"-2%": -0.02, "-1%": -0.01, "0%": 0.0, "1%": 0.01, "2%": 0.02}


@functools.cache
def _trips() -> pd.DataFrame:
    return synthetic_trips(5000, seed=0)


def _subsidies(scenario: Mapping[str, float]) -> Subsidies:
    return Subsidies(scenario["vehicle_subsidy"], scenario["infrastructure_subsidy"])


def _formulas(
    params: SubsidyPricingParams, scenario: Mapping[str, float], trips: float, environmental: float, rounded: bool
) -> dict[str, float]:
    """Fleet, parking, social, outlay and U_G from a trip count and the printed environmental benefit."""
    return welfare(params, _subsidies(scenario), trips, environmental, rounded)._asdict()


def compute(settings: Mapping[str, Any], case: Mapping[str, Any] | None = None) -> dict[str, float]:
    """Every published quantity of the case file under ``settings``."""
    check_settings(PAPER, settings, SETTINGS)
    case = load_case(CASE) if case is None else case
    rounded = bool(settings.get("rounded_crf", False))
    params = SubsidyPricingParams()
    problem = OperatorProblem(params, _trips(), rounded)
    result: dict[str, float] = {}
    for name, scenario in case["scenarios"].items():
        found = _formulas(params, scenario, scenario["trips"], scenario["environmental"], rounded)
        synthetic = evaluate(problem, scenario["price_per_km"], scenario["price_per_min"], _subsidies(scenario))
        result.update(
            {
                f"ratio[{name}]": scenario["trips"] / params.daily_trips,
                f"social[{name}]": found["social"],
                f"government[{name}]": found["government"],
                f"trips[{name}]": synthetic.trips,
                f"operator[{name}]": synthetic.operator,
                f"environmental[{name}]": synthetic.environmental,
            }
        )
    base = case["scenarios"]["s1"]
    result["Sc2"] = min(base["infrastructure_subsidy"], params.infrastructure_subsidy_max)
    table3 = case["table3"]
    for column, change in COLUMNS.items():
        trips, environmental = table3["trips"][column], table3["environmental"][column]
        found = _formulas(params, base, trips, environmental, rounded)
        synthetic = evaluate(
            problem, base["price_per_km"] * (1 + change), base["price_per_min"] * (1 + change), _subsidies(base)
        )
        result.update(
            {
                f"t3.ratio[{column}]": trips / params.daily_trips,
                f"t3.social[{column}]": found["social"],
                f"t3.government[{column}]": found["government"],
                f"t3.trips[{column}]": synthetic.trips,
                f"t3.operator[{column}]": synthetic.operator,
                f"t3.environmental[{column}]": synthetic.environmental,
            }
        )
    result["best_deviation_gain"] = table3["operator"]["1%"] - table3["operator"]["0%"]
    reference = _formulas(params, base, table3["trips"]["0%"], table3["environmental"]["0%"], rounded)
    for column, change in COLUMNS.items():
        scaled = {
            "vehicle_subsidy": base["vehicle_subsidy"] * (1 + change),
            "infrastructure_subsidy": base["infrastructure_subsidy"] * (1 + change),
        }
        found = _formulas(params, scaled, table3["trips"]["0%"], table3["environmental"]["0%"], rounded)
        if found["fleet"] != reference["fleet"]:
            raise ValueError("the fleet changes with the subsidies; Table 4 cannot be derived from Table 3 alone")
        extra = found["outlay"] - reference["outlay"]
        result[f"t4.operator[{column}]"] = table3["operator"]["0%"] + extra
        result[f"t4.government[{column}]"] = table3["government"]["0%"] - extra
    for key in ("trips", "operator", "government", "environmental", "social"):
        result[f"pct.{key}"] = table3[key]["-2%"] / table3[key]["0%"] - 1.0
    result["pct.t4.government"] = result["t4.government[-2%]"] / table3["government"]["0%"] - 1.0
    result["pct.t4.operator"] = result["t4.operator[-2%]"] / table3["operator"]["0%"] - 1.0
    return result


def ledger() -> list[LedgerRow]:
    """Published vs computed for every number the case file lists."""
    return case_ledger(PAPER, CASE, compute)
