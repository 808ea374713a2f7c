"""Every published number of seed 000, computed from the case data (Tables 2–3 and §3.2).

Quantities, each keyed ``name[player]``:

* Table 2 (short-term): ``short.share`` a* by eq. (9), ``short.payoff`` U by eq. (1),
  ``short.improvement`` U/G − 1, and ``standalone`` G;
* §3.2 stage 1: ``shapley`` φ by eq. (10)–(11), ``beta`` β = Aλ, ``modified`` U' by eq. (13)
  with X = V_m, ``stage1.coefficient`` r by eq. (14);
* §3.2 stage 2: ``ideal`` q⁺, ``least`` q⁻, ``target`` r* (the true optimum of (15)–(16), or eq. (17)
  under that reading), ``adjusted`` r' by eq. (18) from the stage-1 r;
* Table 3 (long-term): ``long.payoff`` r'(V_m − k) − C and ``long.improvement``;
* ``distributable`` V_m − k − ΣC and ``grand`` v(N), the totals of the efficiency claims.

Settings a reading may change: ``negotiation_cost`` (k), ``adjustment`` (φ), ``satisfaction_target``
(``optimum`` | ``paper_eq17``), ``shapley_decimals`` and ``coefficient_decimals`` (round as printed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from evgames.data.bargaining import BargainingData
from evgames.data.satisfaction import SatisfactionData
from evgames.data.shipped import load_case
from evgames.data.validation import DataError
from evgames.games import TUGame, correction_weights, modified_shapley, shapley
from evgames.models import bargaining, satisfaction
from evgames.papers.common import case_ledger, check_settings
from evgames.verification.ledger import LedgerRow

__all__ = ["CASE", "PAPER", "SETTINGS", "bargaining_data", "compute", "ledger", "satisfaction_data"]

PAPER = "000"
CASE = "seed000"
SETTINGS = ("negotiation_cost", "adjustment", "satisfaction_target", "shapley_decimals", "coefficient_decimals")


def bargaining_data(case: Mapping[str, Any], negotiation_cost: float | None = None) -> BargainingData:
    """The §3 bargaining data, optionally with another k."""
    data = BargainingData.from_dict(case["bargaining"])
    return data if negotiation_cost is None else data.with_values(negotiation_cost=float(negotiation_cost))


def stage_one(case: Mapping[str, Any], data: BargainingData, shapley_decimals: int | None = None) -> dict:
    """Shapley φ, β, U' (eq. 13) and r (eq. 14)."""
    game = TUGame.from_mapping(case["game"])
    value = shapley(game)
    if shapley_decimals is not None:
        value = value.round(int(shapley_decimals))
    correction = case["correction"]
    factors = pd.DataFrame(correction["matrix"], index=list(game.players), columns=correction["factors"])
    beta = correction_weights(factors, correction["weights"])
    modified = modified_shapley(value, beta, data.total_benefit)
    return {"shapley": value, "beta": beta, "modified": modified, "coefficient": modified / modified.sum()}


def satisfaction_data(case: Mapping[str, Any], current: pd.Series, adjustment: float) -> SatisfactionData:
    """Stage-2 data with the stage-1 coefficients as ``current``."""
    record = dict(case["satisfaction"])
    record["current"] = current.to_dict()
    record["adjustment"] = float(adjustment)
    return SatisfactionData.from_dict(record)


def compute(settings: Mapping[str, Any], case: Mapping[str, Any] | None = None) -> dict[str, float]:
    """All quantities of the module docstring under ``settings`` (empty: the paper as stated)."""
    check_settings(PAPER, settings, SETTINGS)
    case = load_case(CASE) if case is None else case
    data = bargaining_data(case, settings.get("negotiation_cost"))
    short_shares = bargaining.closed_form(data)
    short_payoffs = bargaining.payoffs(data, short_shares)

    first = stage_one(case, data, settings.get("shapley_decimals"))
    adjustment = settings.get("adjustment", case["satisfaction"]["adjustment"])
    stage2 = satisfaction_data(case, first["coefficient"], adjustment)
    target_name = settings.get("satisfaction_target", "optimum")
    if target_name not in ("optimum", "paper_eq17"):
        raise DataError("satisfaction_target", target_name, "use 'optimum' or 'paper_eq17'")
    target = satisfaction.optimum(stage2) if target_name == "optimum" else satisfaction.paper_eq17(stage2)
    assert stage2.adjustment is not None
    adjusted = satisfaction.adjust(first["coefficient"], target, stage2.adjustment)
    decimals = settings.get("coefficient_decimals")
    long_coefficients = adjusted if decimals is None else adjusted.round(int(decimals))
    long_payoffs = bargaining.payoffs(data, long_coefficients)

    series = {
        "standalone": pd.Series({p.name: p.standalone for p in data.players}),
        "short.share": short_shares,
        "short.payoff": short_payoffs,
        "short.improvement": bargaining.improvement(data, short_payoffs),
        "shapley": first["shapley"],
        "beta": first["beta"],
        "modified": first["modified"],
        "stage1.coefficient": first["coefficient"],
        "ideal": pd.Series(stage2.ideal, index=list(stage2.names)),
        "least": pd.Series(stage2.least, index=list(stage2.names)),
        "target": target,
        "adjusted": adjusted,
        "long.payoff": long_payoffs,
        "long.improvement": bargaining.improvement(data, long_payoffs),
    }
    result = {f"{name}[{player}]": float(value) for name, values in series.items() for player, value in values.items()}
    # what an efficient split of eq. (1)'s incomes must add up to: V_m - k - Σ C
    result["distributable"] = data.total_benefit - data.negotiation_cost - sum(p.cost for p in data.players)
    result["grand"] = TUGame.from_mapping(case["game"]).grand_value
    return result


def ledger() -> list[LedgerRow]:
    """Published vs computed for every number the case file lists."""
    return case_ledger(PAPER, CASE, compute)
