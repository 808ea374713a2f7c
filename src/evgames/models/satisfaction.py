"""Constrained satisfaction Nash bargaining (seed 000 §2.4.2, stage 2, eq. (15)–(18)).

From the plans Q_j that the players propose, q_i⁺ = max_j q_ji and q_i⁻ = min_j q_ji. The distribution
coefficients r maximise the asymmetric Nash product of satisfactions (eq. 15)

    Z = Π ((r_i − q_i⁻) / q_i⁺)^γ_i   s.t.  q_i⁻ ≤ r_i ≤ q_i⁺,  Σ r_i = 1      (eq. 16)

and the current coefficients move toward the optimum by r' = r + φ (r* − r) (eq. 18).

**The true optimum.** The factor 1/q_i⁺ is a constant, so it does not change the maximiser. With
d_i = q_i⁺ − q_i⁻ and R = 1 − Σ q⁻, the KKT conditions of ln Z give

    r_i* = q_i⁻ + min(γ_i t, d_i),   with t the level at which Σ min(γ_i t, d_i) = R,

i.e. the slack R is split in proportion to the powers and a player whose upper bound binds is capped
at q_i⁺ (water-filling). Without binding bounds, r_i* = q_i⁻ + γ_i R / Σ γ.

**The paper's eq. (17)**, r_i = q_i⁻ + R γ_i q_i⁺ / Σ γ_j q_j⁺, weights by γ_i q_i⁺ instead of γ_i: it is
the optimum only when all q_i⁺ are equal, and it ignores the upper bounds, so it can exceed q_i⁺.
Both are provided; :mod:`evgames.verification` shows which one the numeric optimum confirms.

A player on whose share all proposals agree (q_i⁺ = q_i⁻) would make Z identically zero; such a player
is fixed at that share and left out of the product, which is the limit of the bargaining problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from evgames.data.satisfaction import SatisfactionData, SatisfactionPlayer
from evgames.solvers import SolverConfig, SolveResult
from evgames.solvers import solve as solve_model
from evgames.solvers.config import CROSS_CHECK_SOLVERS
from evgames.verification import ClosedFormReport, VerificationTable, closed_form_report

__all__ = [
    "DEFAULT_SOLVER",
    "VERIFY_SOLVERS",
    "SatisfactionData",
    "SatisfactionPlayer",
    "SatisfactionSolution",
    "adjust",
    "build_model",
    "extract",
    "log_nash_product",
    "optimum",
    "paper_eq17",
    "solve",
    "verify",
    "verify_report",
    "violation",
]

DEFAULT_SOLVER = "ipopt"

#: Below this width q⁺ − q⁻ a player's share is taken as agreed by all proposals.
AGREED_WIDTH = 1e-12


def _bargaining_players(data: SatisfactionData) -> np.ndarray:
    return (data.ideal - data.least) > AGREED_WIDTH


def build_model(data: SatisfactionData) -> pyo.ConcreteModel:
    """Pyomo model of eq. (15)–(16), maximising ln Z = Σ γ_i ln((r_i − q_i⁻)/q_i⁺).

    ``least``, ``ideal`` and ``power`` are mutable parameters: after ``model.power["A"] = 0.5`` a re-solve gives the
    answer of a model built from the changed data (the bounds are the parameters themselves). Which players
    bargain (q_i⁺ − q_i⁻ above ``AGREED_WIDTH``; the others are fixed at q_i⁻) is decided here, from the data:
    a change that moves a player across that line needs a rebuild.
    """
    least, ideal = data.least, data.ideal
    width = ideal - least
    slack = 1.0 - float(least.sum())
    bargaining = _bargaining_players(data)
    model = pyo.ConcreteModel(name="constrained satisfaction Nash bargaining (seed 000 eq. 15-16)")
    model.players = pyo.Set(initialize=data.names, ordered=True, doc="participants i")
    model.least = pyo.Param(model.players, initialize=dict(zip(data.names, least)), mutable=True, doc="q_i^-")
    model.ideal = pyo.Param(model.players, initialize=dict(zip(data.names, ideal)), mutable=True, doc="q_i^+")
    model.power = pyo.Param(model.players, initialize=dict(zip(data.names, data.powers)), mutable=True, doc="γ_i")
    model.coefficient = pyo.Var(
        model.players,
        bounds=lambda m, i: (m.least[i], m.ideal[i]),
        # Spreading the slack in proportion to the widths is feasible and strictly inside the bounds.
        initialize=dict(zip(data.names, least + slack * width / width.sum())),
        doc="r_i, distribution coefficient; bounds q_i^- <= r_i <= q_i^+ (eq. 16)",
    )
    for name, free in zip(data.names, bargaining):
        if not free:
            model.coefficient[name].fix(model.least[name])
    model.coefficients_sum_to_one = pyo.Constraint(
        expr=sum(model.coefficient[i] for i in model.players) == 1, doc="Σ r_i = 1 (eq. 16)"
    )
    model.satisfaction_product = pyo.Objective(
        expr=sum(
            model.power[i] * pyo.log((model.coefficient[i] - model.least[i]) / model.ideal[i])
            for i, free in zip(data.names, bargaining)
            if free
        ),
        sense=pyo.maximize,
        doc="ln Z = Σ γ_i ln((r_i - q_i^-)/q_i^+) (log of eq. 15)",
    )
    return model


def optimum(data: SatisfactionData) -> pd.Series:
    """The true maximiser of eq. (15)–(16), upper bounds included (see the module docstring)."""
    least, width, powers = data.least, data.ideal - data.least, data.powers
    free = _bargaining_players(data)
    slack = 1.0 - float(least.sum())
    cap_level = np.where(free, width / powers, np.inf)  # the t at which player i reaches q_i⁺
    order = [i for i in np.argsort(cap_level, kind="stable") if free[i]]
    capped_width = 0.0
    level = np.inf
    for position, player in enumerate(order):
        remaining_power = float(powers[order[position:]].sum())
        level = (slack - capped_width) / remaining_power
        if level <= cap_level[player]:
            break
        capped_width += float(width[player])
    grant = np.where(free, np.minimum(powers * level, width), 0.0)
    return pd.Series(least + grant, index=list(data.names), name="optimum")


def paper_eq17(data: SatisfactionData) -> pd.Series:
    """Seed 000 eq. (17) as printed: r_i = q_i⁻ + (1 − Σ q⁻) γ_i q_i⁺ / Σ γ_j q_j⁺."""
    least, ideal, powers = data.least, data.ideal, data.powers
    weights = powers * ideal
    return pd.Series(least + (1.0 - least.sum()) * weights / weights.sum(), index=list(data.names), name="eq17")


def adjust(current: Mapping[str, float] | pd.Series, target: pd.Series, adjustment: float) -> pd.Series:
    """R' = r + φ (r* − r) (eq. 18)."""
    now = pd.Series({name: float(current[name]) for name in target.index})
    return (now + adjustment * (target - now)).rename("adjusted")


def log_nash_product(data: SatisfactionData, coefficients: Mapping[str, float] | pd.Series) -> float:
    """Ln Z of eq. (15) over the bargaining players; −inf where some r_i ≤ q_i⁻."""
    values = np.array([float(coefficients[name]) for name in data.names])
    free = _bargaining_players(data)
    ratio = (values[free] - data.least[free]) / data.ideal[free]
    if np.any(ratio <= 0):
        return float("-inf")
    return float(np.dot(data.powers[free], np.log(ratio)))


def violation(data: SatisfactionData, coefficients: Mapping[str, float] | pd.Series) -> float:
    """Largest violation of eq. (16): the bounds q⁻ ≤ r ≤ q⁺ and Σ r = 1."""
    values = np.array([float(coefficients[name]) for name in data.names])
    below = float(np.maximum(data.least - values, 0.0).max())
    above = float(np.maximum(values - data.ideal, 0.0).max())
    return max(below, above, abs(float(values.sum()) - 1.0))


@dataclass(frozen=True)
class SatisfactionSolution:
    """Numeric optimum r*, the two closed forms, and the adjusted coefficients when asked for.

    Attributes:
        optimum: r* from the solver.
        closed_form: The true optimum's closed form.
        paper_eq17: The paper's eq. (17).
        adjusted: r' = r + φ (r* − r) (eq. 18) with the numeric optimum, or ``None`` without ``current``.
        result: The solver's result.
    """

    optimum: pd.Series
    closed_form: pd.Series
    paper_eq17: pd.Series
    result: SolveResult
    adjusted: pd.Series | None = field(default=None)

    def to_frame(self) -> pd.DataFrame:
        """One row per player."""
        frame = pd.DataFrame({"optimum": self.optimum, "closed_form": self.closed_form, "paper_eq17": self.paper_eq17})
        if self.adjusted is not None:
            frame["adjusted"] = self.adjusted
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The ``solve satisfaction --json`` contract."""
        record: dict[str, Any] = {
            "model": "satisfaction",
            "status": self.result.status.value,
            "solver": self.result.route,
            "optimum": self.optimum.to_dict(),
            "closed_form": self.closed_form.to_dict(),
            "paper_eq17": self.paper_eq17.to_dict(),
            "objective": self.result.objective,
        }
        if self.adjusted is not None:
            record["adjusted"] = self.adjusted.to_dict()
        return record


def extract(model: pyo.ConcreteModel, data: SatisfactionData, result: SolveResult) -> SatisfactionSolution:
    """Read r* from ``model`` and apply eq. (18) when the data carry ``current`` and ``adjustment``."""
    found = pd.Series({name: float(model.coefficient[name].value) for name in data.names}, name="optimum")
    adjusted = None
    if data.current is not None and data.adjustment is not None:
        adjusted = adjust(data.current, found, data.adjustment)
    return SatisfactionSolution(
        optimum=found, closed_form=optimum(data), paper_eq17=paper_eq17(data), result=result, adjusted=adjusted
    )


def solve(
    data: SatisfactionData,
    solver: str | SolverConfig | None = None,
    options: Mapping[str, Any] | None = None,
    *,
    raise_on_failure: bool = True,
) -> SatisfactionSolution:
    """Build, solve (Ipopt unless configured otherwise) and extract."""
    model = build_model(data)
    result = solve_model(model, solver, options, default=DEFAULT_SOLVER, raise_on_failure=raise_on_failure)
    return extract(model, data, result)


#: The solvers ``verify`` compares with the closed forms (Ipopt and a swarm).
VERIFY_SOLVERS = CROSS_CHECK_SOLVERS


def verify_report(data: SatisfactionData, solvers: Sequence[str | SolverConfig] = VERIFY_SOLVERS) -> ClosedFormReport:
    """The true optimum (KKT, bounds included) and the paper's eq. (17) against each solver's optimum."""

    def run(solver: str | SolverConfig) -> tuple[SolveResult, pd.Series]:
        solution = solve(data, solver, raise_on_failure=False)
        return solution.result, solution.optimum

    return closed_form_report(
        "satisfaction",
        run,
        solvers,
        {"true optimum (KKT, bounds included)": optimum(data), "paper eq. (17)": paper_eq17(data)},
        lambda point: log_nash_product(data, point),
        lambda point: violation(data, point),
    )


def verify(data: SatisfactionData, solvers: Sequence[str | SolverConfig] = VERIFY_SOLVERS) -> VerificationTable:
    """The family's cross-checks as verdicts (see :func:`verify_report`); eq. (17) differs: it is not the optimum."""
    return verify_report(data, solvers).table()
