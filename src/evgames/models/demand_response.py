"""Seed 002's price- and incentive-based demand response, its four cooperation cases and their game.

**Price response (eq. (14)–(16)).** Eq. (15) defines e_zj = (ΔQ_z/Q_z)/(ΔP_j/P_j), so the response of
period z is ΔQ_z = Q_z Σ_j e_zj ΔP_j/P_j, i.e. Q* = Q + diag(Q)·E·(ΔP/P). Eq. (16) as printed multiplies
in the other order, Q* = Q + E·diag(Q)·(ΔP/P), which scales a cross effect on z by the load of j and
contradicts eq. (15) whenever cross-elasticities are non-zero (the two agree for a diagonal E). Both are
available (``form="consistent"`` | ``"printed"``); categories (valley, medium, peak) are the periods,
and each category's response is spread over its hours in proportion to their load.

**Incentive response (eq. (17), Table 5).** A reduction r_t in (lower_m, upper_m] MW is paid the tier's
unit price on all of it. The platform chooses r_t ≤ limit_t to maximise Σ_t (value_t − margin_t − price_m)·r_t,
where value_t is what a kWh less is worth to it and margin_t the margin it no longer earns on that kWh:
a MILP with one binary per hour and tier (a boundary value may be counted in either adjacent tier).

**Benefits (10,000 yuan per day).** Platform: Σ_t (P_t − cost_t)·Q_t·1000 kWh/MWh, plus the value of
reductions minus incentive payments. Users: −Σ ΔP_t·Q*_t (the saving on what they charge) plus the
payments received. The four cases: none, price, incentive, both; the two-player game has
v(platform) and v(user) from case 1 and v(both) from case 4.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from evgames.data.demand_response import CATEGORIES, DemandResponseData
from evgames.data.validation import DataError
from evgames.games import TUGame, banzhaf, factor_correction, shapley, solidarity
from evgames.solvers import SolverConfig, SolveResult
from evgames.solvers import solve as solve_model

__all__ = [
    "CASES",
    "CaseBenefits",
    "build_incentive_model",
    "build_tariff_model",
    "case_benefits",
    "cooperation_game",
    "incentive_response",
    "plot_loads",
    "price_response",
    "reduction_value",
    "stationary_price_change",
    "stepped_payment",
    "tariff_design",
]

#: 10,000-yuan units per (yuan/kWh × MWh): 1,000 kWh per MWh over 10,000 yuan per unit.
UNIT = 0.1
CASES = ("none", "price", "incentive", "both")


def _category_index(data: DemandResponseData) -> np.ndarray:
    return np.array([CATEGORIES.index(c) for c in data.category])


def _category_totals(data: DemandResponseData, load: np.ndarray) -> np.ndarray:
    index = _category_index(data)
    return np.array([load[index == c].sum() for c in range(len(CATEGORIES))])


def price_response(
    data: DemandResponseData,
    change: Mapping[str, float] | None = None,
    form: str = "consistent",
    load: np.ndarray | None = None,
) -> np.ndarray:
    """Hourly load after the price change ΔP_c (default: the data's) by eq. (14)–(16) (see module doc)."""
    if form not in ("consistent", "printed"):
        raise DataError("form", form, "use 'consistent' (eq. 15) or 'printed' (eq. 16 as printed)")
    base = np.asarray(data.load if load is None else load, dtype=float)
    change = data.price_change if change is None else change
    relative = np.array([change[c] / data.price[c] for c in CATEGORIES])
    totals = _category_totals(data, base)
    matrix = data.elasticity_matrix()
    if form == "consistent":
        category_change = totals * (matrix @ relative)  # diag(Q) E r
    else:
        category_change = matrix @ (totals * relative)  # E diag(Q) r
    index = _category_index(data)
    share = np.divide(base, totals[index], out=np.zeros_like(base), where=totals[index] > 0)
    return base + category_change[index] * share


def stepped_payment(data: DemandResponseData, reduction: float) -> float:
    """Eq. (17): the whole reduction (MW over one hour) paid at its tier's unit price, in 10,000 yuan."""
    for tier in data.tiers:
        if tier.lower < reduction <= tier.upper + 1e-9:
            return tier.price * reduction * UNIT
    return 0.0


def build_incentive_model(data: DemandResponseData, value: np.ndarray) -> pyo.ConcreteModel:
    """The incentive MILP: ``value[t]`` yuan/kWh is the platform's net gain per kWh less in hour t."""
    hours = range(data.hours)
    tiers = range(len(data.tiers))
    model = pyo.ConcreteModel(name="stepped incentive response (seed 002 eq. 17)")
    model.hours = pyo.Set(initialize=hours, ordered=True)
    model.tiers = pyo.Set(initialize=tiers, ordered=True)
    model.reduction = pyo.Var(
        model.hours,
        model.tiers,
        bounds=lambda m, t, k: (0, data.tiers[k].upper),
        doc="r_tm: reduction in hour t paid at tier m (MW)",
    )
    model.chosen = pyo.Var(model.hours, model.tiers, domain=pyo.Binary, doc="z_tm: hour t lands in tier m")
    model.one_tier = pyo.Constraint(model.hours, rule=lambda m, t: sum(m.chosen[t, k] for k in tiers) <= 1)
    model.tier_lower = pyo.Constraint(
        model.hours, model.tiers, rule=lambda m, t, k: m.reduction[t, k] >= data.tiers[k].lower * m.chosen[t, k]
    )
    model.tier_upper = pyo.Constraint(
        model.hours, model.tiers, rule=lambda m, t, k: m.reduction[t, k] <= data.tiers[k].upper * m.chosen[t, k]
    )
    model.limit = pyo.Constraint(
        model.hours, rule=lambda m, t: sum(m.reduction[t, k] for k in tiers) <= data.reduction_limit[t]
    )
    model.net_benefit = pyo.Objective(
        expr=sum((float(value[t]) - data.tiers[k].price) * model.reduction[t, k] for t in hours for k in tiers) * UNIT,
        sense=pyo.maximize,
        doc="Σ (value_t - price_m) r_tm, in 10,000 yuan",
    )
    return model


@dataclass(frozen=True)
class IncentiveResult:
    """Reductions (MW), the tier each hour lands in (None: no reduction) and the payments (10,000 yuan)."""

    reduction: np.ndarray
    tier: list[int | None]
    payment: np.ndarray
    result: SolveResult


def incentive_response(
    data: DemandResponseData, value: np.ndarray, solver: str | SolverConfig | None = None
) -> IncentiveResult:
    """Solve the incentive MILP and read which tier each hour lands in."""
    model = build_incentive_model(data, value)
    result = solve_model(model, solver, default="highs")
    reduction = np.array([sum(model.reduction[t, k].value for k in model.tiers) for t in model.hours])
    tiers = [
        next((k for k in model.tiers if model.chosen[t, k].value > 0.5 and model.reduction[t, k].value > 1e-9), None)
        for t in model.hours
    ]
    payment = np.array(
        [data.tiers[k].price * reduction[t] * UNIT if k is not None else 0.0 for t, k in enumerate(tiers)]
    )
    return IncentiveResult(reduction=reduction, tier=tiers, payment=payment, result=result)


@dataclass(frozen=True)
class CaseBenefits:
    """Per-hour loads and both parties' benefits in one case."""

    case: str
    load: np.ndarray
    platform: float
    user: float
    income: float
    payments: float
    saving: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "case": self.case,
            "load": self.load.tolist(),
            "platform": self.platform,
            "user": self.user,
            "charging_income": self.income,
            "incentive_payments": self.payments,
            "user_saving": self.saving,
        }


def reduction_value(data: DemandResponseData) -> np.ndarray:
    """What one kWh less is worth to the platform in each hour (``incentive.value``), yuan/kWh."""
    return data.hourly(data.reduction_value)


def case_benefits(
    data: DemandResponseData,
    case: str,
    form: str = "consistent",
    value: np.ndarray | None = None,
    solver: str | SolverConfig | None = None,
) -> CaseBenefits:
    """Loads and benefits in one of :data:`CASES` (see the module docstring)."""
    if case not in CASES:
        raise DataError("case", case, f"use one of {CASES}")
    price = data.hourly(data.price)
    cost = data.hourly(data.purchase_cost)
    change = np.zeros(data.hours)
    load = np.asarray(data.load, dtype=float)
    if case in ("price", "both"):
        change = data.hourly(data.price_change)
        load = price_response(data, form=form)
    payments, extra_value = 0.0, 0.0
    if case in ("incentive", "both"):
        value = reduction_value(data) if value is None else value
        net_value = value - (price + change - cost)  # the margin on a kWh not charged is lost
        incentive = incentive_response(data, net_value, solver)
        payments = float(incentive.payment.sum())
        extra_value = float((value * incentive.reduction).sum() * UNIT)
        load = load - incentive.reduction
    income = float(((price + change) * load).sum() * UNIT)
    margin = float(((price + change - cost) * load).sum() * UNIT)
    saving = float(-(change * load).sum() * UNIT)
    return CaseBenefits(
        case=case,
        load=load,
        platform=margin + extra_value - payments,
        user=saving + payments,
        income=income,
        payments=payments,
        saving=saving,
    )


def cooperation_game(data: DemandResponseData, **options: Any) -> tuple[TUGame, dict[str, CaseBenefits]]:
    """The platform–user game: stand-alone values from case 1, the grand value from case 4."""
    cases = {case: case_benefits(data, case, **options) for case in CASES}
    alone, together = cases["none"], cases["both"]
    game = TUGame(
        ["platform", "user"],
        {"platform": alone.platform, "user": alone.user, "platform,user": together.platform + together.user},
    )
    return game, cases


def allocations(game: TUGame, contribution: Mapping[str, float]) -> pd.DataFrame:
    """Shapley, Banzhaf, Nowak–Radzik solidarity and the contribution-corrected Shapley (eq. (11))."""
    value = shapley(game)
    return pd.DataFrame(
        {
            "shapley": value,
            "banzhaf": banzhaf(game),
            "solidarity": solidarity(game),
            "contribution_corrected": factor_correction(value, contribution, game.grand_value),
        }
    )


def plot_loads(data: DemandResponseData, after: np.ndarray, path: str | Path, title: str) -> Path:
    """Hourly load before and after a response, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure, axis = plt.subplots(figsize=(6, 3.5))
    hours = np.arange(data.hours)
    axis.step(hours, data.load, where="mid", label="before")
    axis.step(hours, after, where="mid", label="after")
    axis.set(xlabel="hour", ylabel="charging load (MW)", title=title)
    axis.legend()
    figure.tight_layout()
    figure.savefig(target, dpi=120)
    plt.close(figure)
    return target


def _tariff_terms(data: DemandResponseData) -> tuple[float, np.ndarray, np.ndarray]:
    """Margin Σ_t (P_t + Δ_c(t) − cost_t) Q_t (1 + Σ_j E_cj Δ_j/P_j) = const + gᵀΔ + ΔᵀMΔ, in 10,000 yuan."""
    load = np.asarray(data.load, dtype=float)
    totals = _category_totals(data, load)
    margin = (data.hourly(data.price) - data.hourly(data.purchase_cost)) * load
    margins = _category_totals(data, margin)
    prices = np.array([data.price[c] for c in CATEGORIES])
    matrix = data.elasticity_matrix()
    gradient = (totals + (margins[:, None] * matrix).sum(axis=0) / prices) * UNIT
    quadratic = totals[:, None] * matrix / prices[None, :] * UNIT
    return float(margins.sum() * UNIT), gradient, quadratic


def stationary_price_change(data: DemandResponseData) -> pd.Series:
    """The price change at which the (quadratic) platform margin is stationary: (M + Mᵀ) Δ = −g.

    It is the tariff-design optimum when no bound and no bill cap binds and M + Mᵀ is negative definite.
    """
    _, gradient, quadratic = _tariff_terms(data)
    hessian = quadratic + quadratic.T
    return pd.Series(np.linalg.solve(hessian, -gradient), index=list(CATEGORIES), name="price_change")


def build_tariff_model(data: DemandResponseData, bill_cap: bool = True) -> pyo.ConcreteModel:
    """NLP: choose ΔP_c within bounds to maximise the platform's margin; users' bill must not rise."""
    constant, gradient, quadratic = _tariff_terms(data)
    load = np.asarray(data.load, dtype=float)
    prices = np.array([data.price[c] for c in CATEGORIES])
    totals = _category_totals(data, load)
    matrix = data.elasticity_matrix()
    bills = _category_totals(data, data.hourly(data.price) * load)
    model = pyo.ConcreteModel(name="tariff design (seed 002 eq. 14-16, consistent form)")
    model.categories = pyo.Set(initialize=range(len(CATEGORIES)), ordered=True)
    model.change = pyo.Var(
        model.categories,
        bounds=lambda m, c: data.price_change_bounds[CATEGORIES[c]],
        initialize=0.0,
        doc="ΔP_c, yuan/kWh",
    )
    model.margin = pyo.Objective(
        expr=constant
        + sum(gradient[c] * model.change[c] for c in model.categories)
        + sum(quadratic[c, j] * model.change[c] * model.change[j] for c in model.categories for j in model.categories),
        sense=pyo.maximize,
        doc="platform margin, 10,000 yuan per day",
    )
    if bill_cap:
        # bill(Δ) = Σ_c (P_c + Δ_c) Q_c (1 + Σ_j E_cj Δ_j/P_j) ≤ Σ_c P_c Q_c
        model.bill = pyo.Constraint(
            expr=sum(
                (prices[c] + model.change[c])
                * totals[c]
                * (1 + sum(matrix[c, j] * model.change[j] / prices[j] for j in model.categories))
                for c in model.categories
            )
            <= float(bills.sum()),
            doc="users' total bill does not rise",
        )
    return model


def tariff_design(
    data: DemandResponseData, solver: str | SolverConfig | None = None, bill_cap: bool = True
) -> tuple[pd.Series, SolveResult]:
    """Optimal ΔP_c by Ipopt (through the project's adapter) and the solve result."""
    model = build_tariff_model(data, bill_cap)
    result = solve_model(model, solver, default="ipopt")
    change = pd.Series([model.change[c].value for c in model.categories], index=list(CATEGORIES), name="price_change")
    return change, result
