"""Seed 004: Shapley, risk, investment and performance schemes, and their TOPSIS weights.

Shapley value by eq. (1) and Table 1, the three proportional schemes by eq. (2)–(4), and the TOPSIS
weights of the four schemes by eq. (5)–(12).

Quantities: ``term[{1}]`` … (player 1's weighted marginal contributions in Table 1), ``shapley[p]``,
``risk[p]``, ``investment[p]``, ``performance[p]`` (proportional allocations of v(N)), ``omega[scheme]``
(TOPSIS weights), ``grand`` (v(N)) and ``topsis[p]`` (the blended allocation; the paper's Table 2 is not in the text).

Settings a reading may change: ``investment_source`` (``amounts`` as stated, or the printed
``levels``), ``shapley_remainder`` (player 3's value as the remainder of the others' rounded values),
``topsis_normalisation`` (see :mod:`evgames.games.topsis`).
"""

from __future__ import annotations

from collections.abc import Mapping
from math import factorial
from typing import Any

import pandas as pd

from evgames.data.shipped import load_case
from evgames.data.validation import DataError
from evgames.games import TUGame, proportional_allocation, shapley, topsis
from evgames.papers.common import case_ledger, check_settings
from evgames.verification.ledger import LedgerRow

__all__ = ["CASE", "PAPER", "SETTINGS", "compute", "ledger"]

PAPER = "004"
CASE = "seed004"
SETTINGS = ("investment_source", "shapley_remainder", "topsis_normalisation")


def compute(settings: Mapping[str, Any], case: Mapping[str, Any] | None = None) -> dict[str, float]:
    """All quantities of the module docstring under ``settings`` (empty: the paper as stated)."""
    check_settings(PAPER, settings, SETTINGS)
    case = load_case(CASE) if case is None else case
    game = TUGame.from_mapping(case["game"])
    players = list(game.players)
    result: dict[str, float] = {"grand": game.grand_value}

    first = 0  # Table 1 lists player 1's terms w(|S|)[v(S) − v(S∖1)] for S ∋ 1
    for mask in range(1, game.values.size):
        if mask & 1 << first:
            size = bin(mask).count("1")
            weight = factorial(size - 1) * factorial(game.n - size) / factorial(game.n)
            members = ",".join(str(i + 1) for i in range(game.n) if mask >> i & 1)
            result[f"term[{{{members}}}]"] = weight * (game.values[mask] - game.values[mask ^ 1 << first])

    value = shapley(game)
    if settings.get("shapley_remainder"):
        rounded = value.round(2)
        value.iloc[-1] = game.grand_value - float(rounded.iloc[:-1].sum())
    source = settings.get("investment_source", "amounts")
    if source not in ("amounts", "levels"):
        raise DataError("investment_source", source, "use 'amounts' or 'levels'")
    investment = case["investment"] if source == "amounts" else case["investment_levels"]
    schemes = {
        "shapley": value,
        "risk": proportional_allocation(case["risk"], game.grand_value),
        "investment": proportional_allocation(investment, game.grand_value),
        "performance": proportional_allocation(case["performance"], game.grand_value),
    }
    for name, allocation in schemes.items():
        for player in players:
            result[f"{name}[{player}]"] = float(allocation[player])

    table = pd.DataFrame({name: schemes[name].reindex(players) for name in case["schemes"]}).T
    blended = topsis(table, settings.get("topsis_normalisation", "none"))
    for name, weight in blended.weights.items():
        result[f"omega[{name}]"] = float(weight)
    for player, amount in blended.allocation.items():
        result[f"topsis[{player}]"] = float(amount)
    return result


def ledger() -> list[LedgerRow]:
    """Published vs computed for every number the case file lists."""
    return case_ledger(PAPER, CASE, compute)
