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

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from evgames.data.bargaining import BargainingData, BargainingPlayer
from evgames.solvers import SolverConfig, SolveResult
from evgames.solvers import solve as solve_model
from evgames.solvers.config import CROSS_CHECK_SOLVERS
from evgames.solvers.registry import merged_config
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


def _equal_split(data: BargainingData) -> dict[str, float]:
    """The start of a solve: an equal split of the surplus (interior, feasible, and independent of the answer)."""
    thresholds = _thresholds(data)
    spare = 1.0 - float(thresholds.sum())  # the surplus as a share of V_m − k
    return {name: float(theta) + spare / len(thresholds) for name, theta in zip(data.names, thresholds)}


def build_model(data: BargainingData) -> pyo.ConcreteModel:
    """Pyomo model of eq. (1)–(5); participation (eq. 2) is the lower bound θ_i on each share.

    The data a user varies are mutable parameters (``net_benefit``, ``cost``, ``standalone``, ``power``): after
    ``model.cost["A"] = 5`` a re-solve gives the answer of a model built from the changed data, because the
    share bounds θ_i are expressions of them and the solvers read parameters' current values at each solve.
    """
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

    # Σ θ_j as one expression shared by every upper bound: evaluating the bounds then costs O(n), not O(n²)
    # (the solvers evaluate a subexpression shared by several bounds once per solve)
    total_threshold = pyo.quicksum(threshold(model, j) for j in model.players)  # flat, where sum() nests n deep

    def share_bounds(m: pyo.ConcreteModel, i: str) -> tuple[Any, Any]:
        # θ_i ≤ a_i ≤ θ_i + (1 − Σ θ_j)
        return threshold(m, i), threshold(m, i) + 1 - total_threshold

    model.share = pyo.Var(
        model.players,
        bounds=share_bounds,
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
    # The start is set after the variables exist: Pyomo's initialize would check each value against bounds that
    # each sum n parameters, O(n²) in all (minutes for 5,000 players)
    _set_start(model, data)
    return model


def closed_form(data: BargainingData) -> pd.Series:
    """Optimal shares a_i* by eq. (9)."""
    thresholds = _thresholds(data)
    powers = np.array([p.power for p in data.players])
    return pd.Series(powers * (1.0 - thresholds.sum()) + thresholds, index=list(data.names), name="share")


def payoffs(data: BargainingData, shares: Mapping[str, float] | pd.Series) -> pd.Series:
    """U_i = a_i (V_m − k) − C_i (eq. 1)."""
    values = np.array([float(shares[name]) for name in data.names])
    return pd.Series(_payoff_values(data, values), index=list(data.names), name="payoff")


def _payoff_values(data: BargainingData, shares: np.ndarray) -> np.ndarray:
    """U_i = a_i (V_m − k) − C_i in player order."""
    return shares * data.net_benefit - np.array([p.cost for p in data.players])


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
    values = np.array([float(payoff[name]) for name in data.names])
    return pd.Series(_improvement_rates(data, values), index=list(data.names), name="improvement")


def _improvement_rates(data: BargainingData, payoff: np.ndarray) -> np.ndarray:
    """U_i / G_i − 1 in player order, NaN where G_i ≤ 0."""
    standalone = np.array([p.standalone for p in data.players])
    rates = np.full(len(standalone), np.nan)
    np.divide(payoff, standalone, out=rates, where=standalone > 0)
    return rates - 1.0


def extract(model: pyo.ConcreteModel, data: BargainingData, result: SolveResult) -> BargainingSolution:
    """Read the solved shares from ``model``."""
    # numpy, and one Series per field at the end: pandas arithmetic would cost a millisecond, a fifth of a solve
    index = pd.Index(data.names)
    shares = np.array([model.share[name].value for name in data.names], dtype=float)
    payoff = _payoff_values(data, shares)
    return BargainingSolution(
        shares=pd.Series(shares, index=index, name="share"),
        payoffs=pd.Series(payoff, index=index, name="payoff"),
        improvement=pd.Series(_improvement_rates(data, payoff), index=index, name="improvement"),
        result=result,
    )


def solve(
    data: BargainingData,
    solver: str | SolverConfig | None = None,
    options: Mapping[str, Any] | None = None,
    *,
    raise_on_failure: bool = True,
) -> BargainingSolution:
    """Build, solve (Ipopt unless configured otherwise) and extract.

    A model built for the same players before is reused with this data's parameter values (see
    :class:`_ModelCache`), so that its translation for the solver is reused too; the solve starts from the equal
    split of this data, as on a model built afresh.
    """
    config = replace(merged_config(solver, options), warm_start=True)  # the start is set below: a fresh model's
    with _MODELS.model_for(data) as model:
        result = solve_model(model, config, default=DEFAULT_SOLVER, raise_on_failure=raise_on_failure)
        return extract(model, data, result)


class _ModelCache:
    """The models :func:`solve` built lately, by player names, each lent to one solve at a time.

    Changing the mutable parameters of a built model costs far less than building one and, above all, keeps
    the model's compiled solver functions (:func:`evgames.solvers.structure.inspect_model` caches them per
    model). A model in use by another thread is not lent: that solve builds its own.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._models: OrderedDict[tuple[str, ...], pyo.ConcreteModel] = OrderedDict()
        self._lock = threading.Lock()

    @contextmanager
    def model_for(self, data: BargainingData) -> Iterator[pyo.ConcreteModel]:
        """A model of ``data``: a cached one with its parameters and start set to ``data``, else a new one."""
        if not self._lock.acquire(blocking=False):
            yield build_model(data)
            return
        try:
            model = self._models.pop(data.names, None)
            if model is None:
                model = build_model(data)
            else:
                _set_data(model, data)
            self._models[data.names] = model  # the most recently used last
            while len(self._models) > self.size:
                self._models.popitem(last=False)
            yield model
        finally:
            self._lock.release()


def _set_data(model: pyo.ConcreteModel, data: BargainingData) -> None:
    """Give a model built by :func:`build_model` the parameters and starting point of ``data`` (same players)."""
    model.net_benefit.set_value(data.net_benefit)
    model.cost.store_values({p.name: p.cost for p in data.players})
    model.standalone.store_values({p.name: p.standalone for p in data.players})
    model.power.store_values({p.name: p.power for p in data.players})
    _set_start(model, data)


def _set_start(model: pyo.ConcreteModel, data: BargainingData) -> None:
    """Start every share at :func:`_equal_split` (interior and feasible by construction: no check needed)."""
    for name, start in _equal_split(data).items():
        model.share[name].set_value(start, skip_validation=True)


#: Up to four models (e.g. the cross-check solves of a few data sets); a model of 5,000 players is tens of MB.
_MODELS = _ModelCache(size=4)


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
