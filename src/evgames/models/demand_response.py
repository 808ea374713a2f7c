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

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from evgames.data.demand_response import CASES, CATEGORIES, DemandResponseData
from evgames.data.validation import DataError
from evgames.games import TUGame, allocation_checks, banzhaf, factor_correction, shapley, solidarity
from evgames.solvers import SolverConfig, SolverError, SolveResult
from evgames.solvers import solve as solve_model
from evgames.verification import Check, VerificationTable, agreement, condition, failed

__all__ = [
    "CASES",
    "CaseBenefits",
    "DemandResponseSolution",
    "build_incentive_model",
    "build_tariff_model",
    "case_benefits",
    "cooperation_game",
    "incentive_response",
    "plot_loads",
    "price_response",
    "reduction_value",
    "solve",
    "stationary_price_change",
    "stepped_payment",
    "tariff_design",
    "tariff_optimum",
    "verify",
]

#: 10,000-yuan units per (yuan/kWh × MWh): 1,000 kWh per MWh over 10,000 yuan per unit.
UNIT = 0.1


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


@dataclass(frozen=True)
class DemandResponseSolution:
    """One case's loads and benefits, the four cases' platform-user game and its allocations.

    Attributes:
        case: The case solved (one of :data:`CASES`).
        data: The input data.
        benefits: Loads, income, payments and benefits in ``case``.
        cases: Every case's benefits (the game's coalition values come from them).
        game: The platform-user TU game.
        allocation: Shapley, Banzhaf, solidarity and contribution-corrected Shapley, by player.
        checks: Efficiency, individual rationality and core membership of each allocation.
        figures: Figures written by :meth:`plot`.
    """

    case: str
    data: DemandResponseData
    benefits: CaseBenefits
    cases: dict[str, CaseBenefits]
    game: TUGame
    allocation: pd.DataFrame
    checks: dict[str, dict[str, bool]]
    figures: tuple[Path, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The ``solve demand-response --json`` contract."""
        return {
            "model": "demand-response",
            "checks": self.checks,
            "figures": [str(path) for path in self.figures],
            "case": self.case,
            "load_before": list(map(float, self.data.load)),
            "load_after": self.benefits.load.tolist(),
            "charging_income": self.benefits.income,
            "incentive_payments": self.benefits.payments,
            "benefit": {"platform": self.benefits.platform, "user": self.benefits.user},
            "cases": {name: {"platform": c.platform, "user": c.user} for name, c in self.cases.items()},
            "allocation": self.allocation.to_dict(),
        }

    def to_frame(self) -> pd.DataFrame:
        """The hourly loads before and after the response, one row per hour."""
        return pd.DataFrame(
            {"category": self.data.category, "load_before": self.data.load, "load_after": self.benefits.load}
        )

    def plot(self, folder: str | Path) -> DemandResponseSolution:
        """The same solution with the load figure of its case written into ``folder``."""
        path = plot_loads(
            self.data, self.benefits.load, Path(folder) / f"load_{self.case}.png", f"charging load, case '{self.case}'"
        )
        return replace(self, figures=(*self.figures, path))


def solve(
    data: DemandResponseData,
    solver: str | SolverConfig | None = None,
    *,
    case: str = "both",
    contribution: Mapping[str, float] | None = None,
) -> DemandResponseSolution:
    """Solve ``case``, build the four-case game and allocate it (equal contribution rates by default)."""
    benefits = case_benefits(data, case, solver=solver)
    game, cases = cooperation_game(data, solver=solver)
    split = allocations(game, contribution or {"platform": 0.5, "user": 0.5})
    checks = {method: allocation_checks(game, split[method]) for method in split.columns}
    return DemandResponseSolution(case, data, benefits, cases, game, split, checks)


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


#: Family name in the verdict table.
MODEL_NAME = "demand-response"

#: Relative agreement of Ipopt's and HiGHS's optima with the closed form and the enumeration.
VERIFY_TOLERANCE = 1e-7

#: Most tier combinations the brute-force check of the incentive MILP enumerates.
MAX_ENUMERATION = 100_000

_AT_LOWER, _AT_UPPER, _FREE = "at lower bound", "at upper bound", "inside"

#: A root with a smaller imaginary part (relative) is taken as real: a tangency gives a double root that
#: rounding may split into a complex pair. The bill-cap test on every candidate decides feasibility.
_REAL = 1e-7


def _on_bill_cap(
    hessian: np.ndarray, bill_gradient: np.ndarray, gap_gradient: np.ndarray, rise: float
) -> list[np.ndarray] | None:
    """Points y of one face where the bill cap binds and ∇margin = λ ∇bill; ``None`` if the face is degenerate.

    On the face the bill rises by b(y) = rise + aᵀy + ½ yᵀHy (a: ``bill_gradient``), and the margin is the
    bill plus a linear function with gradient w (``gap_gradient``: the purchase cost of the response of
    eq. (15) is linear in Δ), so both have the Hessian H. Then ∇margin = λ ∇bill reads (1 − λ)(Hy + a) = −w,
    i.e. Hy + a = μw for some μ, and y = μu + v with u = H⁻¹w, v = −H⁻¹a: b(y) = 0 is a quadratic in μ.
    (λ = 1 needs w = 0: the margin is then constant on the cap within the face, and the face's edges hold
    its value.) On an edge (one free price) b(y) = 0 is solved directly, whatever H.
    """
    if hessian.shape == (1, 1):
        roots = np.roots([0.5 * hessian[0, 0], bill_gradient[0], rise])
        return [np.array([root.real]) for root in roots if abs(root.imag) <= _REAL * max(1.0, abs(root))]
    try:
        u, v = np.linalg.solve(hessian, np.column_stack([gap_gradient, -bill_gradient])).T
    except np.linalg.LinAlgError:
        return None
    coefficients = [
        0.5 * u @ hessian @ u,
        bill_gradient @ u + u @ hessian @ v,
        rise + bill_gradient @ v + 0.5 * v @ hessian @ v,
    ]
    roots = np.roots(coefficients)
    return [root.real * u + v for root in roots if abs(root.imag) <= _REAL * max(1.0, abs(root))]


@dataclass(frozen=True)
class TariffOptimum:
    """The tariff NLP's global optimum in closed form and where it lies.

    Attributes:
        change: ΔP_c by category.
        margin: The platform's margin there (10,000 yuan per day), the NLP's objective.
        face: Each category's position (at a bound or inside) and whether the bill cap binds.
        concave: Whether M + Mᵀ is negative definite (the stationary point is then the unconstrained optimum).
        degenerate_faces: Faces with a singular (M + Mᵀ)_FF and two or more free prices, whose points on the
            bill cap were left out (0 on generic data: the optimum is then exact).
    """

    change: pd.Series
    margin: float
    face: str
    concave: bool
    degenerate_faces: int


def tariff_optimum(data: DemandResponseData, bill_cap: bool = True) -> TariffOptimum:
    """The global optimum of :func:`build_tariff_model`, in closed form, by its KKT points face by face.

    The margin m(Δ) = const + gᵀΔ + ΔᵀMΔ and the users' bill (the margin at zero purchase cost, with the same
    M) are quadratic, and the box of price-change bounds has 27 faces (each price at its lower bound, at its
    upper bound or free). On each face the optimum either leaves the bill cap slack — then it solves
    (M + Mᵀ)_FF Δ_F = −∇_F m, the face's version of :func:`stationary_price_change` — or lies on the cap
    (:func:`_on_bill_cap`). The best feasible point over all faces is the global optimum whatever the
    curvature (an indefinite M + Mᵀ puts it on the boundary).
    """
    constant, gradient, quadratic = _tariff_terms(data)
    # The bill Σ_c (P_c + Δ_c) Q_c (1 + Σ_j E_cj Δ_j/P_j) is the margin when electricity costs nothing.
    bill_now, bill_gradient, _ = _tariff_terms(replace(data, purchase_cost=dict.fromkeys(CATEGORIES, 0.0)))
    hessian = quadratic + quadratic.T
    lower, upper = (np.array([data.price_change_bounds[c][side] for c in CATEGORIES]) for side in (0, 1))
    slack = 1e-9 * max(1.0, bill_now)

    def margin(x: np.ndarray) -> float:
        return float(constant + gradient @ x + x @ quadratic @ x)

    def bill_rise(x: np.ndarray) -> float:
        return float(bill_gradient @ x + x @ quadratic @ x)

    candidates, degenerate = [], 0
    for sides in itertools.product((_AT_LOWER, _AT_UPPER, _FREE), repeat=len(CATEGORIES)):
        free = np.array([side == _FREE for side in sides])
        base = np.where(free, 0.0, np.where([side == _AT_LOWER for side in sides], lower, upper))
        face_hessian = hessian[np.ix_(free, free)]
        points = []
        try:
            points.append(np.linalg.solve(face_hessian, -(gradient + hessian @ base)[free]))
        except np.linalg.LinAlgError:
            pass  # singular: stationary points come in lines of equal margin that reach the face's edges
        if bill_cap and free.any():
            on_cap = _on_bill_cap(
                face_hessian, (bill_gradient + hessian @ base)[free], (gradient - bill_gradient)[free], bill_rise(base)
            )
            degenerate += on_cap is None
            points += on_cap or []
        for point in points:
            x = base.copy()
            x[free] = point
            candidates.append(x)
    feasible = [
        np.clip(x, lower, upper)
        for x in candidates
        if np.all(x >= lower - 1e-12) and np.all(x <= upper + 1e-12) and (not bill_cap or bill_rise(x) <= slack)
    ]
    best = max(feasible, key=margin)  # Δ = 0 is always feasible
    position = [
        f"{c} {_AT_LOWER if math.isclose(v, lo) else _AT_UPPER if math.isclose(v, hi) else _FREE}"
        for c, v, lo, hi in zip(CATEGORIES, best, lower, upper)
    ]
    if bill_cap:
        position.append("bill cap binding" if abs(bill_rise(best)) <= slack else "bill cap slack")
    return TariffOptimum(
        change=pd.Series(best, index=list(CATEGORIES), name="price_change"),
        margin=margin(best),
        face=", ".join(position),
        concave=bool(np.all(np.linalg.eigvalsh(hessian) < 0)),
        degenerate_faces=degenerate,
    )


def tariff_checks(data: DemandResponseData, solver: str | SolverConfig | None = None) -> list[Check]:
    """Ipopt's tariff design, with and without the bill cap, against :func:`tariff_optimum`.

    Per variant: each ΔP_c and the margin against the closed form; the NLP's objective against the margin
    of the eq. (15) response it causes (:func:`case_benefits`); with the cap, the users' bill afterwards.
    """
    checks = []
    before = case_benefits(data, "none")
    for bill_cap in (True, False):
        label = "tariff NLP " + ("with bill cap" if bill_cap else "without bill cap")
        try:
            change, result = tariff_design(data, solver, bill_cap)
        except SolverError as error:
            checks.append(failed(MODEL_NAME, label, str(error)))
            continue
        optimum = tariff_optimum(data, bill_cap)
        curvature = "M + Mᵀ negative definite" if optimum.concave else "M + Mᵀ not negative definite"
        exact = (
            "every face solved"
            if not optimum.degenerate_faces
            else f"{optimum.degenerate_faces} degenerate face(s) left out: the closed form may miss an optimum there"
        )
        detail = f"closed form: KKT points of the 27 faces ({exact}); optimum {optimum.face}; {curvature}"
        for category in CATEGORIES:
            checks.append(
                agreement(
                    MODEL_NAME,
                    f"{label}: ΔP_{category} vs closed form",
                    optimum.change[category],
                    change[category],
                    VERIFY_TOLERANCE,
                    detail=detail,
                )
            )
        checks.append(
            agreement(MODEL_NAME, f"{label}: margin vs closed form", optimum.margin, result.objective, VERIFY_TOLERANCE)
        )
        after = case_benefits(replace(data, price_change=change.to_dict()), "price")
        checks.append(
            agreement(
                MODEL_NAME,
                f"{label}: objective vs margin of the eq. (15) response",
                after.platform,
                result.objective,
                VERIFY_TOLERANCE,
                detail="hourly loads from price_response at the NLP's ΔP",
            )
        )
        if bill_cap:
            checks.append(
                condition(
                    MODEL_NAME,
                    f"{label}: users' bill does not rise (eq. (15) response)",
                    after.income <= before.income + VERIFY_TOLERANCE * max(1.0, before.income),
                    f"bill after − before = {after.income - before.income:.3g} of {before.income:.6g} "
                    "(10,000 yuan per day)",
                )
            )
    return checks


def incentive_value(data: DemandResponseData) -> np.ndarray:
    """What a kWh less is worth to the platform net of the margin it loses, with the price change (case 4)."""
    price, cost, change = (data.hourly(block) for block in (data.price, data.purchase_cost, data.price_change))
    return reduction_value(data) - (price + change - cost)


def tier_payoffs(data: DemandResponseData, value: np.ndarray) -> np.ndarray:
    """Best net benefit of each hour (rows) for each choice: no reduction, then each tier (columns).

    Within tier m an hour's reduction r lies in [lower_m, min(upper_m, limit_t)] (the MILP's rows with
    z_tm = 1), and (value_t − price_m)·r is linear, so the best r is an end of that interval; a tier whose
    lower end exceeds the limit is infeasible (−∞).
    """
    payoffs = np.zeros((data.hours, len(data.tiers) + 1))
    for m, tier in enumerate(data.tiers):
        top = np.minimum(tier.upper, np.asarray(data.reduction_limit, dtype=float))
        rate = (np.asarray(value, dtype=float) - tier.price) * UNIT
        payoffs[:, m + 1] = np.where(tier.lower <= top, np.maximum(rate * tier.lower, rate * top), -np.inf)
    return payoffs


def _hours_case(data: DemandResponseData, hours: Sequence[int]) -> DemandResponseData:
    """The data restricted to ``hours`` (the incentive MILP reads only tiers, limits and the value)."""
    return replace(
        data,
        load=tuple(data.load[t] for t in hours),
        category=tuple(data.category[t] for t in hours),
        reduction_limit=tuple(data.reduction_limit[t] for t in hours),
    )


def _milp_against(case: DemandResponseData, value: np.ndarray, label: str, expected: float, detail: str) -> Check:
    try:
        found = incentive_response(case, value).result.objective
    except SolverError as error:
        return failed(MODEL_NAME, label, str(error))
    return agreement(MODEL_NAME, label, expected, found, VERIFY_TOLERANCE, detail=detail)


def incentive_checks(data: DemandResponseData, value: np.ndarray | None = None) -> list[Check]:
    """The incentive MILP (HiGHS) against enumeration, at ``value`` (default :func:`incentive_value`).

    The whole day against the best choice hour by hour (no constraint links two hours), and a small case —
    the first hours with a reduction limit, as many as keep (tiers + 1)^hours ≤ :data:`MAX_ENUMERATION` —
    against every combination of tier choices.
    """
    value = incentive_value(data) if value is None else np.asarray(value, dtype=float)
    payoffs = tier_payoffs(data, value)
    options = payoffs.shape[1]
    count = 1
    while options ** (count + 1) <= MAX_ENUMERATION:
        count += 1
    limited = [t for t in range(data.hours) if data.reduction_limit[t] > 0] or list(range(data.hours))
    hours = limited[:count]
    totals = np.zeros(1)
    for row in payoffs[hours]:  # every combination of one choice per hour
        totals = np.add.outer(totals, row).ravel()
    return [
        _milp_against(
            data,
            value,
            f"incentive MILP, {data.hours} h: optimum vs best tier hour by hour",
            float(payoffs.max(axis=1).sum()),
            f"{data.hours} hours x {options} choices",
        ),
        _milp_against(
            _hours_case(data, hours),
            value[hours],
            f"incentive MILP, hours {','.join(map(str, hours))}: optimum vs enumeration",
            float(totals.max()),
            f"{totals.size:,} tier combinations over {len(hours)} of {data.hours} hours (limit > 0 first)",
        ),
    ]


def verify(data: DemandResponseData, *, solver: str | SolverConfig | None = None) -> VerificationTable:
    """Verdicts of demand response: the tariff NLP and the incentive MILP.

    :func:`tariff_checks` runs the NLP with ``solver`` (Ipopt by default); :func:`incentive_checks` runs
    the MILP on HiGHS.
    """
    return VerificationTable((*tariff_checks(data, solver), *incentive_checks(data)))
