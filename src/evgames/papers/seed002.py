"""Seed 002's allocation numbers (Tables 9–10, §5.3.4) from its Table 8 case benefits.

The two-player game: v(E) = E's case-1 income, v(U) = U's case-1 income (0), v(EU) = the case-4 total.
Quantities: ``shapley[p]`` (eq. (4)), ``solidarity[p]`` (Nowak–Radzik; eq. (5) as printed is the
Banzhaf value, which for two players equals the Shapley value), ``gain[e-commerce]`` and
``loss[user]`` (yuan), ``contribution[p]``, ``improved[p]`` and ``change[p]`` (eq. (11)),
``net_gain[e-commerce]`` (yuan), ``grand`` (v(N)),
``model.shapley[p]`` (the Shapley value of the game built from the demand-response model).

Tables 6 and 8 come from the demand-response model on ``seed002_demand`` (whose load profile is
synthetic: the paper's exists only in its Figure 3): ``spot[c]`` (tariff + change), ``price_change[c]``,
``load_change[c]`` (mean hourly change, MW), and per case ``income``, ``incentive``, ``saving``, ``user``.

Settings a reading may change: ``solidarity_rule`` (``nowak_radzik`` | ``equal_division``),
``improved_base`` (``shapley`` | ``case4``) and ``response_form`` (``consistent`` | ``printed`` eq. (16)).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from evgames.data.demand_response import CATEGORIES, DemandResponseData
from evgames.data.shipped import load_case
from evgames.data.validation import DataError
from evgames.games import TUGame, equal_division, factor_correction, shapley, solidarity
from evgames.models import demand_response
from evgames.papers.common import case_ledger, check_settings
from evgames.verification.ledger import LedgerRow

__all__ = ["CASE", "PAPER", "SETTINGS", "compute", "game", "ledger"]

PAPER = "002"
CASE = "seed002"
SETTINGS = ("solidarity_rule", "improved_base", "response_form")
DEMAND_CASE = "seed002_demand"


def demand_quantities(form: str) -> dict[str, float]:
    """Tables 6 and 8 from the demand-response model (synthetic load; see the module docstring)."""
    data = DemandResponseData.from_dict(load_case(DEMAND_CASE))
    result: dict[str, float] = {}
    after = demand_response.price_response(data, form=form)
    categories = np.array(data.category)
    for name in CATEGORIES:
        result[f"spot[{name}]"] = data.price[name] + data.price_change[name]
        result[f"price_change[{name}]"] = data.price_change[name]
        hours = categories == name
        result[f"load_change[{name}]"] = float((after - np.array(data.load))[hours].mean())
    incentive = demand_response.case_benefits(data, "incentive", form=form)
    change = incentive.load - np.array(data.load)
    for label, hours in (("22-2", [22, 23, 0, 1]), ("6-9", [6, 7, 8]), ("10-12", [10, 11])):
        result[f"interruption[{label}]"] = float(change[hours].mean())
    for case in demand_response.CASES:
        benefits = demand_response.case_benefits(data, case, form=form)
        result.update(
            {
                f"income[{case}]": benefits.income,
                f"incentive[{case}]": benefits.payments,
                f"saving[{case}]": benefits.saving,
                f"user[{case}]": benefits.user,
            }
        )
    return result


YUAN_PER_UNIT = 10_000  # the tables are in 10,000 yuan


def game(case: Mapping[str, Any]) -> TUGame:
    """The platform–user game of Table 8."""
    alone, together = case["benefits"]["case1"], case["benefits"]["case4"]
    players = list(alone)
    return TUGame(
        players,
        {players[0]: alone[players[0]], players[1]: alone[players[1]], ",".join(players): sum(together.values())},
    )


def compute(settings: Mapping[str, Any], case: Mapping[str, Any] | None = None) -> dict[str, float]:
    """All quantities of the module docstring under ``settings`` (empty: the paper as stated)."""
    check_settings(PAPER, settings, SETTINGS)
    case = load_case(CASE) if case is None else case
    two = game(case)
    platform, user = two.players
    case1, case4 = pd.Series(case["benefits"]["case1"]), pd.Series(case["benefits"]["case4"])
    value = shapley(two)
    rule = settings.get("solidarity_rule", "nowak_radzik")
    if rule not in ("nowak_radzik", "equal_division"):
        raise DataError("solidarity_rule", rule, "use 'nowak_radzik' or 'equal_division'")
    shared = solidarity(two) if rule == "nowak_radzik" else equal_division(two)
    base_name = settings.get("improved_base", "shapley")
    if base_name not in ("shapley", "case4"):
        raise DataError("improved_base", base_name, "use 'shapley' or 'case4'")
    base = value if base_name == "shapley" else case4.reindex(value.index)
    contribution = pd.Series(case["contribution_rate"]).reindex(value.index)
    improved = factor_correction(base, contribution, two.grand_value)

    form = settings.get("response_form", "consistent")
    result: dict[str, float] = {
        **demand_quantities(form),
        f"gain[{platform}]": float(value[platform] - case4[platform]) * YUAN_PER_UNIT,
        f"loss[{user}]": float(case4[user] - value[user]) * YUAN_PER_UNIT,
        f"net_gain[{platform}]": float(improved[platform] - case1[platform]) * YUAN_PER_UNIT,
        "grand": two.grand_value,
    }
    # the same game from the demand-response model: no cooperation (case none) and both responses
    modelled = TUGame(
        list(two.players),
        {
            platform: result["income[none]"],
            user: result["user[none]"],
            f"{platform},{user}": result["income[both]"] + result["user[both]"],
        },
    )
    result.update({f"model.shapley[{name}]": float(share) for name, share in shapley(modelled).items()})
    for player in two.players:
        result[f"shapley[{player}]"] = float(value[player])
        result[f"solidarity[{player}]"] = float(shared[player])
        result[f"contribution[{player}]"] = float(contribution[player])
        result[f"improved[{player}]"] = float(improved[player])
        result[f"change[{player}]"] = float(improved[player] - base[player])
    return result


def ledger() -> list[LedgerRow]:
    """Published vs computed for every number the case file lists."""
    return case_ledger(PAPER, CASE, compute)
