"""Fixed-ratio asymmetric Nash bargaining (seed 000 §2.4.1, eq. (1)–(9)), for any n ≥ 2 players.

Each player i receives a share a_i of the net benefit V_m − k and earns U_i = a_i (V_m − k) − C_i
(eq. 1). The shares maximise the asymmetric Nash product Π (U_i − G_i)^γ_i (eq. 3–4), in logarithms
Σ γ_i ln(a_i (V_m − k) − C_i − G_i) (eq. 5), subject to Σ a_i = 1 and participation U_i ≥ G_i (eq. 2).

The optimum has the closed form (eq. 9)

    a_i* = γ_i (1 − Σ_j θ_j) + θ_i,   θ_i = (C_i + G_i) / (V_m − k),

valid for any n when Σ γ_i = 1 and there is a surplus (Σ θ_j < 1): every player first recovers its
cost and standalone profit, then the surplus is split in proportion to the powers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from evgames.data.bargaining import BargainingData, BargainingPlayer
from evgames.solvers import SolverConfig, SolveResult
from evgames.solvers import solve as solve_model
from evgames.solvers.config import CROSS_CHECK_SOLVERS
from evgames.verification import ClosedFormReport, VerificationTable, closed_form_report

__all__ = [
    "DEFAULT_SOLVER",
    "VERIFY_SOLVERS",
    "BargainingData",
    "BargainingPlayer",
    "BargainingSolution",
    "build_model",
    "closed_form",
    "extract",
    "improvement",
    "log_nash_product",
    "payoffs",
    "solve",
    "verify",
    "verify_report",
    "violation",
]

#: Solver used when none is configured.
DEFAULT_SOLVER = "ipopt"


def _thresholds(data: BargainingData) -> np.ndarray:
    """θ_i = (C_i + G_i) / (V_m − k): the share that just pays player i its cost and standalone profit."""
    return np.array([(p.cost + p.standalone) / data.net_benefit for p in data.players])


def build_model(data: BargainingData) -> pyo.ConcreteModel:
    """Pyomo model of eq. (1)–(5); participation (eq. 2) is the lower bound θ_i on each share.

    The data a user varies are mutable parameters (``net_benefit``, ``cost``, ``standalone``, ``power``): after
    ``model.cost["A"] = 5`` a re-solve gives the answer of a model built from the changed data, because the
    share bounds θ_i are expressions of them and the solvers read parameters' current values at each solve.
    """
    thresholds = _thresholds(data)
    spare = 1.0 - float(thresholds.sum())  # the surplus as a share of V_m − k
    n = len(data.players)
    model = pyo.ConcreteModel(name="fixed-ratio asymmetric Nash bargaining (seed 000 eq. 1-9)")
    model.players = pyo.Set(initialize=data.names, ordered=True, doc="participants i")
    model.net_benefit = pyo.Param(
        initialize=data.net_benefit, mutable=True, doc="V_m - k, benefit left after negotiation"
    )
    model.cost = pyo.Param(model.players, initialize={p.name: p.cost for p in data.players}, mutable=True, doc="C_i")
    model.standalone = pyo.Param(
        model.players,
        initialize={p.name: p.standalone for p in data.players},
        mutable=True,
        doc="G_i, standalone profit",
    )
    model.power = pyo.Param(model.players, initialize={p.name: p.power for p in data.players}, mutable=True, doc="γ_i")

    def threshold(m: pyo.ConcreteModel, i: str) -> Any:
        # θ_i = (C_i + G_i) / (V_m − k) as an expression of the parameters (Pyomo takes no named Expression
        # in bounds), so the bounds follow parameter changes
        return (m.cost[i] + m.standalone[i]) / m.net_benefit

    def share_bounds(m: pyo.ConcreteModel, i: str) -> tuple[Any, Any]:
        # θ_i ≤ a_i ≤ θ_i + (1 − Σ θ_j)
        return threshold(m, i), threshold(m, i) + 1 - sum(threshold(m, j) for j in m.players)

    model.share = pyo.Var(
        model.players,
        bounds=share_bounds,
        # An equal split of the surplus: interior, feasible, and independent of the answer.
        initialize={name: theta + spare / n for name, theta in zip(data.names, thresholds)},
        doc="a_i, share of V_m - k (eq. 1); lower bound θ_i is participation U_i >= G_i (eq. 2)",
    )
    model.payoff = pyo.Expression(
        model.players,
        rule=lambda m, i: m.share[i] * m.net_benefit - m.cost[i],
        doc="U_i = a_i (V_m - k) - C_i (eq. 1)",
    )
    model.shares_sum_to_one = pyo.Constraint(
        expr=sum(model.share[i] for i in model.players) == 1, doc="Σ a_i = 1 (eq. 5)"
    )
    model.nash_product = pyo.Objective(
        expr=sum(model.power[i] * pyo.log(model.payoff[i] - model.standalone[i]) for i in model.players),
        sense=pyo.maximize,
        doc="ln of the Nash product Σ γ_i ln(U_i - G_i) (eq. 4-5)",
    )
    return model


def closed_form(data: BargainingData) -> pd.Series:
    """Optimal shares a_i* by eq. (9)."""
    thresholds = _thresholds(data)
    powers = np.array([p.power for p in data.players])
    return pd.Series(powers * (1.0 - thresholds.sum()) + thresholds, index=list(data.names), name="share")


def payoffs(data: BargainingData, shares: Mapping[str, float] | pd.Series) -> pd.Series:
    """U_i = a_i (V_m − k) − C_i (eq. 1)."""
    return pd.Series(
        [float(shares[p.name]) * data.net_benefit - p.cost for p in data.players],
        index=list(data.names),
        name="payoff",
    )


def log_nash_product(data: BargainingData, shares: Mapping[str, float] | pd.Series) -> float:
    """Σ γ_i ln(U_i − G_i) (eq. 5 without the multiplier); −inf where a player falls below G_i."""
    gains = payoffs(data, shares).to_numpy() - np.array([p.standalone for p in data.players])
    if np.any(gains <= 0):
        return float("-inf")
    return float(np.dot([p.power for p in data.players], np.log(gains)))


def violation(data: BargainingData, shares: Mapping[str, float] | pd.Series) -> float:
    """Largest violation of Σ a_i = 1 and U_i ≥ G_i (eq. 2), in share units."""
    values = np.array([float(shares[name]) for name in data.names])
    below = np.maximum(_thresholds(data) - values, 0.0)
    return float(max(abs(values.sum() - 1.0), below.max(initial=0.0)))


@dataclass(frozen=True)
class BargainingSolution:
    """Shares, payoffs and improvements of one solve, with the solver's result.

    Attributes:
        shares: a_i by player.
        payoffs: U_i by player.
        improvement: U_i / G_i − 1 (NaN where G_i ≤ 0, where a rate means nothing).
        result: The solver's :class:`~evgames.solvers.SolveResult`.
    """

    shares: pd.Series
    payoffs: pd.Series
    improvement: pd.Series
    result: SolveResult

    def to_frame(self) -> pd.DataFrame:
        """One row per player: share, payoff, improvement."""
        return pd.DataFrame({"share": self.shares, "payoff": self.payoffs, "improvement": self.improvement})

    def to_dict(self) -> dict[str, Any]:
        """The ``solve bargaining --json`` contract."""
        return {
            "model": "bargaining",
            "status": self.result.status.value,
            "solver": self.result.route,
            "shares": self.shares.to_dict(),
            "payoffs": self.payoffs.to_dict(),
            "objective": self.result.objective,
        }


def improvement(data: BargainingData, payoff: pd.Series) -> pd.Series:
    """Revenue improvement rate U_i / G_i − 1 (Tables 2–3 of seed 000)."""
    standalone = pd.Series([p.standalone for p in data.players], index=list(data.names))
    return (payoff / standalone.where(standalone > 0) - 1.0).rename("improvement")


def extract(model: pyo.ConcreteModel, data: BargainingData, result: SolveResult) -> BargainingSolution:
    """Read the solved shares from ``model``."""
    shares = pd.Series({name: float(model.share[name].value) for name in data.names}, name="share")
    payoff = payoffs(data, shares)
    return BargainingSolution(shares=shares, payoffs=payoff, improvement=improvement(data, payoff), result=result)


def solve(
    data: BargainingData,
    solver: str | SolverConfig | None = None,
    options: Mapping[str, Any] | None = None,
    *,
    raise_on_failure: bool = True,
) -> BargainingSolution:
    """Build, solve (Ipopt unless configured otherwise) and extract."""
    model = build_model(data)
    result = solve_model(model, solver, options, default=DEFAULT_SOLVER, raise_on_failure=raise_on_failure)
    return extract(model, data, result)


#: The solvers ``verify`` compares with the closed forms (Ipopt and a swarm).
VERIFY_SOLVERS = CROSS_CHECK_SOLVERS


def verify_report(data: BargainingData, solvers: Sequence[str | SolverConfig] = VERIFY_SOLVERS) -> ClosedFormReport:
    """Eq. (9) against the optimum of each solver (Ipopt and PSO by default), compared point and objective."""

    def run(solver: str | SolverConfig) -> tuple[SolveResult, pd.Series]:
        solution = solve(data, solver, raise_on_failure=False)
        return solution.result, solution.shares

    return closed_form_report(
        "bargaining",
        run,
        solvers,
        {"eq. (9)": closed_form(data)},
        lambda point: log_nash_product(data, point),
        lambda point: violation(data, point),
    )


def verify(data: BargainingData, solvers: Sequence[str | SolverConfig] = VERIFY_SOLVERS) -> VerificationTable:
    """The family's cross-checks as verdicts: eq. (9) against Ipopt and PSO (see :func:`verify_report`)."""
    return verify_report(data, solvers).table()
