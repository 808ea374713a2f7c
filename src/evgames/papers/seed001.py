"""Seed 001's allocation numbers: λ = Bβ (eq. (15)), Shapley and modified Shapley (eq. (16), Table 5), §5.3.

Quantities: ``lambda[S]``, ``surplus`` (v(I) − Σ v(S)), ``standalone[S]``, ``shapley[S]``,
``modified[S]`` (φ + X(λ − 1/n)), ``growth`` (v(I)/Σ standalone − 1) and ``increase[S]`` (modified/standalone − 1).

Tables 3–4 (the six peak hours of ``seed001_stations``): ``diverted[t]`` (vehicles moved, by the
station-alliance MILP), ``R1[t]`` = p·min(x1, η), ``R2[t]`` = p·diverted, ``R1+R2[t]``, ``V[t]`` (the
alliance's value in the period: p·(all vehicles served) − f·diverted) and the daily totals
``R1 total`` = ΣR1 − C1, ``R2 total`` = ΣR2 − C2, ``R1+R2 total`` and ``V total`` = ΣV − C1 − C2 − Q;
``model.shapley[S]``: the Shapley value of the game those totals define (the model's game, not the typed one).

Settings a reading may change: ``grand_value`` (v(I)), ``modified_scale`` (``grand`` as eq. (16)
writes, or ``surplus``), ``lambda_decimals``, ``standalone_total`` (the denominator of the growth),
``diversion`` (``optimised`` | ``overflow``: every vehicle beyond S1's capacity moves) and
``period_value`` (``alliance`` | ``paper``: V = R1 + R2 + (p − f)·diverted, as Table 4 computes it).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import pandas as pd

from evgames.data.shipped import load_case
from evgames.data.station_alliance import StationAllianceData
from evgames.data.validation import DataError
from evgames.games import TUGame, correction_weights, modified_shapley, shapley
from evgames.models import station_alliance
from evgames.papers.common import case_ledger, check_settings
from evgames.solvers import solve
from evgames.verification.ledger import LedgerRow

__all__ = ["CASE", "PAPER", "SETTINGS", "compute", "ledger"]

PAPER = "001"
CASE = "seed001"
SETTINGS = ("grand_value", "modified_scale", "lambda_decimals", "standalone_total", "diversion", "period_value")
STATIONS_CASE = "seed001_stations"


@functools.cache
def optimised_diversions() -> tuple[float, ...]:
    """Vehicles S1 sends to S2 in each peak hour, from the station-alliance MILP (solved once)."""
    data = StationAllianceData.from_dict(load_case(STATIONS_CASE))
    model = station_alliance.build_model(data)
    solve(model, "highs")
    return tuple(float(model.diverted["S1", "S2", t].value) for t in model.periods)


def station_quantities(settings: Mapping[str, Any]) -> dict[str, float]:
    """Tables 3–4 per period and in total (see the module docstring)."""
    data = StationAllianceData.from_dict(load_case(STATIONS_CASE))
    busy, idle = data.station("S1"), data.station("S2")
    rule = settings.get("diversion", "optimised")
    if rule not in ("optimised", "overflow"):
        raise DataError("diversion", rule, "use 'optimised' or 'overflow'")
    moved = optimised_diversions() if rule == "optimised" else data.overflow("S1")
    period_rule = settings.get("period_value", "alliance")
    if period_rule not in ("alliance", "paper"):
        raise DataError("period_value", period_rule, "use 'alliance' or 'paper'")
    p, f = busy.profit_per_vehicle, data.diversions[0].compensation
    result: dict[str, float] = {}
    totals = {"R1": 0.0, "R2": 0.0, "V": 0.0}
    for t, diverted in enumerate(moved):
        r1 = p * min(busy.arrivals[t], busy.capacity * data.period_hours)
        r2 = idle.profit_per_vehicle * diverted
        if period_rule == "paper":
            value = r1 + r2 + (p - f) * diverted
        else:
            value = r1 + idle.profit_per_vehicle * (idle.arrivals[t] + diverted) - f * diverted
        result.update(
            {f"diverted[{t}]": diverted, f"R1[{t}]": r1, f"R2[{t}]": r2, f"R1+R2[{t}]": r1 + r2, f"V[{t}]": value}
        )
        totals["R1"] += r1
        totals["R2"] += r2
        totals["V"] += value
    result["R1 total"] = totals["R1"] - busy.operating_cost
    result["R2 total"] = totals["R2"] - idle.operating_cost
    result["R1+R2 total"] = result["R1 total"] + result["R2 total"]
    result["V total"] = totals["V"] - busy.operating_cost - idle.operating_cost - data.platform_cost
    return result


def compute(settings: Mapping[str, Any], case: Mapping[str, Any] | None = None) -> dict[str, float]:
    """All quantities of the module docstring under ``settings`` (empty: the paper as stated)."""
    check_settings(PAPER, settings, SETTINGS)
    case = load_case(CASE) if case is None else case
    values = dict(case["game"]["values"])
    players = list(case["game"]["players"])
    grand_label = ",".join(players)
    if "grand_value" in settings:
        values[grand_label] = float(settings["grand_value"])
    game = TUGame(players, values)
    standalone = pd.Series({name: game.value(name) for name in players})
    surplus = game.grand_value - float(standalone.sum())

    correction = case["correction"]
    factors = pd.DataFrame(correction["matrix"], index=players, columns=correction["factors"])
    weights = correction_weights(factors, correction["weights"])
    if settings.get("lambda_decimals") is not None:
        weights = weights.round(int(settings["lambda_decimals"]))
    scale_name = settings.get("modified_scale", "grand")
    if scale_name not in ("grand", "surplus"):
        raise DataError("modified_scale", scale_name, "use 'grand' (eq. 16) or 'surplus'")
    value = shapley(game)
    modified = modified_shapley(value, weights, game.grand_value if scale_name == "grand" else surplus)
    base_total = float(settings.get("standalone_total", standalone.sum()))

    result: dict[str, float] = {"surplus": surplus, "growth": game.grand_value / base_total - 1.0}
    stations = station_quantities(settings)
    result.update(stations)
    # the same game from the station model (Table 4's columns) rather than from the values typed in
    modelled = TUGame(
        players,
        {players[0]: stations["R1 total"], players[1]: stations["R2 total"], grand_label: stations["V total"]},
    )
    result.update({f"model.shapley[{name}]": float(share) for name, share in shapley(modelled).items()})
    for name in players:
        result[f"lambda[{name}]"] = float(weights[name])
        result[f"standalone[{name}]"] = float(standalone[name])
        result[f"shapley[{name}]"] = float(value[name])
        result[f"modified[{name}]"] = float(modified[name])
        result[f"increase[{name}]"] = float(modified[name] / standalone[name] - 1.0)
    return result


def ledger() -> list[LedgerRow]:
    """Published vs computed for every number the case file lists."""
    return case_ledger(PAPER, CASE, compute)
