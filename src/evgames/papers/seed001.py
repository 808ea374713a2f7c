"""Seed 001's allocation numbers: λ = Bβ (eq. (15)), Shapley and modified Shapley (eq. (16), Table 5), §5.3.

Quantities: ``lambda[S]``, ``surplus`` (v(I) − Σ v(S)), ``standalone[S]``, ``shapley[S]``,
``modified[S]`` (φ + X(λ − 1/n)), ``growth`` (v(I)/Σ standalone − 1) and ``increase[S]`` (modified/standalone − 1).

Settings a reading may change: ``grand_value`` (v(I)), ``modified_scale`` (``grand`` as eq. (16)
writes, or ``surplus``), ``lambda_decimals`` and ``standalone_total`` (the denominator of the growth).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from evgames.data.shipped import load_case
from evgames.data.validation import DataError
from evgames.games import TUGame, correction_weights, modified_shapley, shapley
from evgames.papers.common import case_ledger, check_settings
from evgames.verification.ledger import LedgerRow

__all__ = ["CASE", "PAPER", "SETTINGS", "compute", "ledger"]

PAPER = "001"
CASE = "seed001"
SETTINGS = ("grand_value", "modified_scale", "lambda_decimals", "standalone_total")


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
