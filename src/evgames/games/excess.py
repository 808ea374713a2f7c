"""Least core, core and nucleolus by sequential LPs, written as a Pyomo model and solved with HiGHS.

The excess of coalition S at allocation x is e(S, x) = v(S) − x(S). The least core minimises the
largest excess; the nucleolus minimises the excess vector lexicographically (Schmeidler 1969). Both
start from the Pyomo LP of :func:`build_excess_model`,

    min t  s.t.  x(S) + t ≥ v(S)   for every S ≠ ∅, N,     x(N) = v(N),
                 x_i ≥ v({i})       (imputation domain only).

For the nucleolus it is compiled once (:class:`evgames.solvers.HighsLP`) and changed in place: after
each stage with optimum t_k, the coalitions with a positive dual are tight in every optimal solution
(Maschler, Peleg & Shapley 1979) and are settled — their row becomes x(S) ≥ v(S) − t_k without t. A
coalition whose incidence vector lies in the span of the settled ones has a determined excess on the
remaining feasible set, so its row is dropped. Stages repeat until no coalition is free.

Rows are generated as needed (as coopgame-py's default method does): the LP starts with the coalitions
of one and of n − 1 players; after each solve every excess is computed at once with numpy, and the
coalitions whose excess exceeds t are added, until none does — then the stage's LP over all
coalitions is solved, with zero duals on the rows never added.

The prenucleolus is the nucleolus over pre-imputations (``domain="preimputation"``: no x_i ≥ v({i})).

A cost game c (``TUGame(..., kind="cost")``) is solved as cost sharing: excess x(S) − c(S), core
x(S) ≤ c(S), imputations x_i ≤ c({i}). These are the concepts of the profit game −c with x negated
(:meth:`TUGame.profit_game`), which is how they are computed; ε and the excess levels are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from evgames.data.validation import DataError
from evgames.solvers import HighsLP, SolverError

if TYPE_CHECKING:  # only annotations: tu imports this module where a game needs its least core
    from evgames.games.tu import TUGame

__all__ = [
    "CHECK_TOLERANCE",
    "DOMAINS",
    "LeastCore",
    "Nucleolus",
    "allocation_checks",
    "build_excess_model",
    "core_point",
    "in_core",
    "least_core",
    "nucleolus",
    "prenucleolus",
]

DOMAINS = ("imputation", "preimputation")

#: A dual above this counts as positive.
_DUAL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class LeastCore:
    """The least core value ε (smallest possible largest excess) and one allocation attaining it."""

    epsilon: float
    allocation: pd.Series


@dataclass(frozen=True)
class Nucleolus:
    """The nucleolus, the excess levels settled in turn, and the number of LPs solved."""

    allocation: pd.Series
    levels: tuple[float, ...]
    lp_solves: int


def _require_domain(game: TUGame, domain: str) -> None:
    """Raise unless ``domain`` is known and, for imputations, x_i ≥ v({i}) (x_i ≤ c({i})) leaves some x."""
    if domain not in DOMAINS:
        raise DataError("domain", domain, f"use one of {DOMAINS}")
    standalone = sum(game.values[1 << i] for i in range(game.n))
    if domain == "imputation" and game.sign * (standalone - game.grand_value) > 1e-9:
        relation = "Σ v({i}) exceeds v(N)" if game.kind == "profit" else "c(N) exceeds Σ c({i})"
        raise DataError("game", game.grand_value, f"{relation}: the imputation set is empty")


def _profit_form(game: TUGame, domain: str) -> TUGame:
    """The profit game whose LPs the concepts of ``game`` solve (itself, or −c), after checking ``domain``."""
    _require_domain(game, domain)
    return game.profit_game()


def _in_units_of(game: TUGame, allocation: pd.Series) -> pd.Series:
    """An allocation of the profit form back in the game's units: cost shares are negated (+0.0 drops −0)."""
    return allocation * game.sign + 0.0


def build_excess_model(
    game: TUGame, domain: str = "imputation", coalitions: list[int] | None = None
) -> pyo.ConcreteModel:
    """The least-core LP of the module docstring, with every proper coalition (or only ``coalitions``).

    Written for a profit game; for a cost game c build it for ``game.profit_game()`` (its x are −x).
    """
    if game.kind != "profit":
        raise DataError("game.kind", game.kind, "the excess LP is written for profits: pass game.profit_game()")
    _require_domain(game, domain)
    n = game.n
    model = pyo.ConcreteModel(name="least-core LP")
    model.players = pyo.RangeSet(0, n - 1)
    chosen = range(1, (1 << n) - 1) if coalitions is None else coalitions
    model.coalitions = pyo.Set(initialize=chosen, ordered=True, doc="proper coalitions (bitmasks) with a row")
    lower = {i: float(game.values[1 << i]) if domain == "imputation" else None for i in range(n)}
    model.x = pyo.Var(model.players, bounds=lambda m, i: (lower[i], None), doc="allocation x_i")
    model.t = pyo.Var(doc="largest excess")
    shares = [model.x[i] for i in range(n)]

    model.excess = pyo.Constraint(
        model.coalitions, rule=lambda m, mask: _excess_row(game, m, mask), doc="x(S) + t >= v(S), i.e. e(S, x) <= t"
    )
    model.efficiency = pyo.Constraint(expr=sum(shares) == game.grand_value, doc="x(N) = v(N)")
    model.largest_excess = pyo.Objective(expr=model.t, sense=pyo.minimize)
    return model


def _excess_row(game: TUGame, model: pyo.ConcreteModel, mask: int) -> tuple[float, LinearExpression, None]:
    # A LinearExpression built directly: rows are many (up to 2^n − 2) and this is ~8x faster than sum().
    members = [model.x[i] for i in range(game.n) if mask >> i & 1]
    return float(game.values[mask]), LinearExpression([*members, model.t]), None


def _add_rows(game: TUGame, model: pyo.ConcreteModel, lp: HighsLP, masks: np.ndarray) -> None:
    for mask in masks:
        model.coalitions.add(int(mask))
        model.excess[int(mask)] = _excess_row(game, model, int(mask))
    lp.add_constraints([model.excess[int(mask)] for mask in masks])


def _allocation(lp: HighsLP, model: pyo.ConcreteModel, game: TUGame) -> pd.Series:
    return pd.Series([lp.x[lp.column(model.x[i])] for i in range(game.n)], index=list(game.players))


def least_core(game: TUGame, domain: str = "imputation") -> LeastCore:
    """ε = min over x of max_S e(S, x) and an x attaining it (one LP); the core is non-empty iff ε ≤ 0.

    For a cost game, e(S, x) = x(S) − c(S) and the allocation is a cost sharing (module docstring).
    """
    profit = _profit_form(game, domain)
    if game.n == 1:
        return LeastCore(epsilon=float("-inf"), allocation=pd.Series([game.grand_value], index=list(game.players)))
    model = build_excess_model(profit, domain)
    lp = HighsLP(model)
    result = lp.solve()
    allocation = _in_units_of(game, _allocation(lp, model, profit))
    return LeastCore(epsilon=float(result.objective), allocation=allocation.rename("least_core"))


def _orthonormal_rows(rows: np.ndarray) -> np.ndarray:
    """An orthonormal basis (as rows) of the span of ``rows``."""
    _, singular, right = np.linalg.svd(rows, full_matrices=False)
    rank = int((singular > 1e-10 * max(1.0, singular.max(initial=0.0))).sum())
    return right[:rank]


def nucleolus(game: TUGame, domain: str = "imputation") -> Nucleolus:
    """The nucleolus (``imputation``) or prenucleolus (``preimputation``) by sequential LPs.

    Schmeidler (1969): the allocation whose excesses, sorted from the largest, are lexicographically
    smallest. For a cost game, the nucleolus of cost sharing (module docstring).
    """
    n = game.n
    profit = _profit_form(game, domain)
    if n == 1:
        return Nucleolus(pd.Series([game.grand_value], index=list(game.players), name="nucleolus"), (), 0)
    masks = np.arange(1, (1 << n) - 1)
    full = (1 << n) - 1
    start = [1 << i for i in range(n)] + [full ^ 1 << i for i in range(n) if n > 2]
    model = build_excess_model(profit, domain, sorted(set(start)))
    lp = HighsLP(model)
    position_of = np.full(1 << n, -1)
    position_of[masks] = np.arange(masks.size)
    in_lp = np.zeros(masks.size, dtype=bool)
    in_lp[position_of[np.array(list(model.coalitions), dtype=int)]] = True
    incidence = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
    free = np.ones(masks.size, dtype=bool)
    basis = np.ones((1, n)) / np.sqrt(n)  # orthonormal rows spanning the settled coalitions and N
    batch = max(2 * n, 16)
    levels = []
    while free.any():
        while True:  # one stage: add violated coalitions until the LP's t bounds every free excess
            lp.solve()
            x = np.array([lp.x[lp.column(model.x[i])] for i in range(n)])
            level = float(lp.x[lp.column(model.t)])
            excess = profit.values[masks] - incidence @ x
            violated = np.flatnonzero(free & ~in_lp & (excess > level + 1e-9))
            if violated.size == 0:
                break
            chosen = violated[np.argsort(-excess[violated])[:batch]]
            _add_rows(profit, model, lp, masks[chosen])
            in_lp[chosen] = True
        rows_in_lp = np.flatnonzero(free & in_lp)
        duals = np.array([lp.dual(model.excess[int(masks[p])]) for p in rows_in_lp])
        settled_positions = rows_in_lp[np.abs(duals) > _DUAL_TOLERANCE]
        if settled_positions.size == 0:
            raise SolverError("the nucleolus LP gave no positive dual on a free coalition; cannot progress")
        for position in settled_positions:
            constraint = model.excess[int(masks[position])]
            lp.set_coefficient(constraint, model.t, 0.0)
            lp.set_constraint_bounds(constraint, float(profit.values[masks[position]]) - level, None)
        free[settled_positions] = False
        basis = _orthonormal_rows(np.vstack([basis, incidence[settled_positions]]))
        residual = incidence - (incidence @ basis.T) @ basis
        determined = free & (np.linalg.norm(residual, axis=1) < 1e-7)
        lp.relax_constraints([model.excess[int(mask)] for mask in masks[determined & in_lp]])
        free &= ~determined
        levels.append(level)
    allocation = _in_units_of(game, _allocation(lp, model, profit)).rename("nucleolus")
    return Nucleolus(allocation=allocation, levels=tuple(levels), lp_solves=lp.solves)


def prenucleolus(game: TUGame) -> Nucleolus:
    """The prenucleolus: the nucleolus over pre-imputations, x(N) = v(N) with no x_i ≥ v({i}) (Sobolev 1975).

    It equals the nucleolus whenever the core is non-empty.
    """
    found = nucleolus(game, "preimputation")
    return Nucleolus(found.allocation.rename("prenucleolus"), found.levels, found.lp_solves)


def in_core(game: TUGame, allocation: pd.Series | Sequence[float] | np.ndarray, tolerance: float = 1e-9) -> bool:
    """x(N) = v(N) and x(S) ≥ v(S) for every coalition — x(S) ≤ c(S) for a cost game — on all 2^n sums (no LP)."""
    x = np.asarray(
        allocation.reindex(list(game.players)) if isinstance(allocation, pd.Series) else allocation, dtype=float
    )
    sums = game.coalition_sums(x)
    scale = max(1.0, abs(game.grand_value))
    return bool(
        abs(sums[-1] - game.grand_value) <= tolerance * scale
        and np.all(game.sign * (sums - game.values) >= -tolerance * scale)
    )


def core_point(game: TUGame) -> pd.Series | None:
    """An allocation in the core, or ``None`` when the core is empty (least core ε > 0)."""
    found = least_core(game, "preimputation")
    return found.allocation.rename("core_point") if found.epsilon <= 1e-9 else None


#: Relative tolerance of the efficiency and rationality checks of :func:`allocation_checks`.
CHECK_TOLERANCE = 1e-9


def allocation_checks(game: TUGame, allocation: pd.Series) -> dict[str, bool | None]:
    """Efficiency Σx = v(N), individual rationality and core membership.

    Individually rational: x_i ≥ v({i}) in a profit game, x_i ≤ c({i}) in a cost game; likewise for the core.
    """
    x = allocation.reindex(list(game.players)).to_numpy(dtype=float)
    scale = max(1.0, abs(game.grand_value))
    standalone = [game.values[1 << i] for i in range(game.n)]
    rational = all(game.sign * (xi - vi) >= -CHECK_TOLERANCE * scale for xi, vi in zip(x, standalone, strict=True))
    return {
        "efficient": bool(abs(x.sum() - game.grand_value) <= CHECK_TOLERANCE * scale),
        "individually_rational": bool(rational),
        "in_core": in_core(game, x, CHECK_TOLERANCE),
    }
