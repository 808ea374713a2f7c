"""Least core, core and nucleolus by sequential LPs, solved by HiGHS on arrays with warm starts.

The excess of coalition S at allocation x is e(S, x) = v(S) − x(S). The least core minimises the
largest excess; the nucleolus minimises the excess vector lexicographically (Schmeidler 1969). Both
start from the least-core LP

    min t  s.t.  x(S) + t ≥ v(S)   for every S ≠ ∅, N,     x(N) = v(N),
                 x_i ≥ v({i})       (imputation domain only).

The nucleolus is Kopelowitz's (1967) sequence of such LPs, as Maschler, Peleg & Shapley (1979) state it.
The LP lives in one HiGHS instance as arrays (:class:`evgames.solvers.highs_matrix.MatrixLP`, no Pyomo) and
is changed in place — rows added, bounds and one coefficient changed — so that every LP after the first
starts from the previous optimal basis. After each stage, with optimum t_k:

* a coalition whose row has a positive dual is tight — e(S, x) = t_k — at every optimal x (complementary
  slackness), so it is settled: its row becomes x(S) ≥ v(S) − t_k, without t (an inequality suffices: it
  holds with equality at every later optimum, which is also optimal for this stage). Only duals clearly above
  HiGHS's tolerances count (:data:`_DUAL_TOLERANCE`); a coalition tight everywhere whose dual is zero or
  doubtful stays free and is settled by a later LP at the same level, which costs an LP but never settles a
  coalition wrongly. The free rows' duals sum to 1 (t's reduced cost is 0) and a basic solution has at most
  n + 1 non-zero, so one of them is at least 1 / (n + 1) and each stage settles a coalition or a player;
* likewise a player whose bound x_i ≥ v({i}) has a positive reduced cost is held at it (x_i = v({i}));
* a coalition whose incidence vector lies in the span of those settled, of the players held and of 1_N has
  the same excess on the whole remaining feasible set; it leaves the LP (its row is freed). The span test
  is exact (:class:`evgames.games.coalition_span.CoalitionSpan`).

Stages repeat until the span is all of R^n: the remaining feasible set is then one point, the nucleolus.

Rows are generated as needed (as coopgame-py's default method does): the LP starts with the coalitions of
one and of n − 1 players and those of the 4n largest excesses at the equal-surplus split; after each solve
every excess is computed at once (one pass over the 2^n coalition sums,
:func:`evgames.games.coalitions.coalition_sums`), and the free coalitions whose excess exceeds
t are added, the largest first, until none does — the stage's LP over all coalitions is then solved, with zero
duals on the rows never added.

The prenucleolus is the nucleolus over pre-imputations (``domain="preimputation"``: no x_i ≥ v({i})).

A cost game c (``TUGame(..., kind="cost")``) is solved as cost sharing: excess x(S) − c(S), core
x(S) ≤ c(S), imputations x_i ≤ c({i}). These are the concepts of the profit game −c with x negated
(:meth:`TUGame.profit_game`), which is how they are computed; ε and the excess levels are unchanged.

:func:`build_excess_model` writes the least-core LP as a Pyomo model, for inspection or for other solvers;
the functions here do not use it (Pyomo is imported only when it is called).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evgames.data.validation import DataError
from evgames.games.coalition_span import CoalitionSpan
from evgames.games.coalitions import coalition_sums, incidence_rows
from evgames.solvers import SolverError
from evgames.solvers.highs_matrix import MatrixLP

if TYPE_CHECKING:  # only annotations: tu imports this module where a game needs its least core
    import pyomo.environ as pyo

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

#: A dual (or reduced cost) above this settles its coalition (or player): far above HiGHS's dual feasibility
#: tolerance (:data:`_HIGHS_OPTIONS`), so that no dual within the solver's tolerance of zero decides anything.
_DUAL_TOLERANCE = 1e-6

#: HiGHS's options for the stage LPs. The simplex method, without presolve: the LPs are small and each starts
#: from the last optimal basis, and a basic dual solution has at most n + 1 non-zero duals (module docstring).
#: The LP is scaled to max |v| = 1 (:class:`_ExcessLP`) and its solutions are wanted to ~1e-9 of that, so
#: HiGHS's feasibility tolerances (1e-7 by default, absolute) are tightened: a basic solution accepted at
#: 1e-7 can sit outside x_i ≥ v({i}) or above ε by that much times max |v|.
_HIGHS_OPTIONS = {
    "solver": "simplex",
    "presolve": "off",
    "primal_feasibility_tolerance": 1e-10,
    "dual_feasibility_tolerance": 1e-10,
}

#: The first LP has rows for the coalitions of the 4n largest excesses at the equal-surplus split.
_FIRST_ROWS_PER_PLAYER = 4

#: An excess above t by more than this (in units of max |v|) puts its coalition's row into the LP.
_VIOLATION_TOLERANCE = 1e-9


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
    # relative to the game's scale, as the LPs are: a game in 1e-9 or in 1e9 units is the same game
    if domain == "imputation" and game.sign * (standalone - game.grand_value) > 1e-9 * game.scale:
        relation = "Σ v({i}) exceeds v(N)" if game.kind == "profit" else "c(N) exceeds Σ c({i})"
        raise DataError("game", game.grand_value, f"{relation}: the imputation set is empty")


def _profit_form(game: TUGame, domain: str) -> TUGame:
    """The profit game whose LPs the concepts of ``game`` solve (itself, or −c), after checking ``domain``."""
    _require_domain(game, domain)
    return game.profit_game()


def build_excess_model(
    game: TUGame, domain: str = "imputation", coalitions: list[int] | None = None
) -> pyo.ConcreteModel:
    """The least-core LP of the module docstring as a Pyomo model, with every proper coalition (or ``coalitions``).

    Written for a profit game; for a cost game c build it for ``game.profit_game()`` (its x are −x).
    """
    import pyomo.environ as pyo  # only here: the solution concepts below run on arrays
    from pyomo.core.expr.numeric_expr import LinearExpression

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

    def excess_row(m: pyo.ConcreteModel, mask: int) -> tuple[float, LinearExpression, None]:
        # A LinearExpression built directly: rows are many (up to 2^n − 2) and this is ~8x faster than sum().
        members = [m.x[i] for i in range(n) if mask >> i & 1]
        return float(game.values[mask]), LinearExpression([*members, m.t]), None

    model.excess = pyo.Constraint(model.coalitions, rule=excess_row, doc="x(S) + t >= v(S), i.e. e(S, x) <= t")
    model.efficiency = pyo.Constraint(expr=sum(model.x[i] for i in range(n)) == game.grand_value, doc="x(N) = v(N)")
    model.largest_excess = pyo.Objective(expr=model.t, sense=pyo.minimize)
    return model


class _ExcessLP:
    """The least-core LP of one profit game over one domain, held by HiGHS; rows are added as they are needed.

    Columns are x_0 … x_{n−1} and t (column n); row 0 is x(N) = v(N). ``free`` marks the coalitions whose
    excess is still to be minimised; ``row_of[S]`` is the LP row of coalition S, or −1 while it has none.

    The LP is written for v / max |v|: HiGHS's tolerances are absolute (1e-7), and the nucleolus scales with the
    game, so this makes them relative. :attr:`allocation` and the levels returned are in the game's units.
    """

    def __init__(self, game: TUGame, domain: str) -> None:
        n = game.n
        self.n = n
        self.scale = float(np.abs(game.values).max()) or 1.0
        self.values = game.values / self.scale
        self.standalone = self.values[1 << np.arange(n)]
        self.level = float("nan")  # the optimum t of the last stage, scaled
        lower = self.standalone if domain == "imputation" else np.full(n, -np.inf)
        costs = np.zeros(n + 1)
        costs[n] = 1.0  # min t
        self.lp = MatrixLP(costs, np.append(lower, -np.inf), np.full(n + 1, np.inf), _HIGHS_OPTIONS)
        grand_value = self.values[-1]
        self.lp.add_rows([grand_value], [grand_value], [0], np.arange(n), np.ones(n))
        self.held = np.zeros(n, dtype=bool) if domain == "imputation" else np.ones(n, dtype=bool)
        self.row_of = np.full(1 << n, -1, dtype=np.int64)
        self.free = np.ones(1 << n, dtype=bool)
        self.free[[0, -1]] = False
        self.batch = max(2 * n, 16)
        self._add_coalitions(self._first_coalitions())

    def _first_coalitions(self) -> np.ndarray:
        """The rows the first LP starts with: coalitions of one and of n − 1, and the largest excesses at a guess.

        The guess is the equal-surplus split x_i = v({i}) + (v(N) − Σ_j v({j})) / n (an imputation); the
        coalitions with the :data:`_FIRST_ROWS_PER_PLAYER` · n largest excesses there are likely to bind in
        the first stages, and starting with them saves rounds of row generation (about half the LPs at n = 12).
        """
        n, full = self.n, (1 << self.n) - 1
        players = 1 << np.arange(n)
        guess = self.standalone + (self.values[full] - self.standalone.sum()) / n
        excess = self.values - coalition_sums(guess)
        excess[[0, full]] = -np.inf
        count = min(_FIRST_ROWS_PER_PLAYER * n, full - 1)
        largest = np.argpartition(-excess, count - 1)[:count]
        first = np.unique(np.concatenate([players, full ^ players, largest]))
        return first[(first > 0) & (first < full)]

    def __enter__(self) -> _ExcessLP:
        return self

    def __exit__(self, *exception: object) -> None:
        """Hand HiGHS's instance back for reuse (:class:`~evgames.solvers.highs_matrix.MatrixLP`)."""
        self.lp.__exit__(None, None, None)

    @property
    def allocation(self) -> np.ndarray:
        """The allocation x of the last solve, in the game's units."""
        return self.lp.x[: self.n] * self.scale

    def _add_coalitions(self, masks: np.ndarray) -> None:
        """Rows x(S) + t ≥ v(S) for ``masks``, in one highspy call."""
        entries = np.ones((masks.size, self.n + 1), dtype=bool)
        entries[:, : self.n] = incidence_rows(masks, self.n)
        counts = entries.sum(axis=1)
        starts = np.zeros(masks.size, dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        rows = self.lp.add_rows(
            self.values[masks], np.full(masks.size, np.inf), starts, np.nonzero(entries)[1], np.ones(counts.sum())
        )
        self.row_of[masks] = rows

    def solve_stage(self) -> float:
        """Solve the stage's LP over every free coalition by adding violated rows; its optimum t (game units)."""
        while True:
            self.level = self.lp.solve()
            excess = self.values - coalition_sums(self.lp.x[: self.n])
            violated = np.flatnonzero(self.free & (self.row_of < 0) & (excess > self.level + _VIOLATION_TOLERANCE))
            if violated.size == 0:
                return self.level * self.scale
            if violated.size > self.batch:  # the most violated first: they are the likeliest to bind
                violated = violated[np.argpartition(-excess[violated], self.batch)[: self.batch]]
            self._add_coalitions(violated)

    def settle(self) -> np.ndarray:
        """Settle the coalitions and hold the players whose duals are positive in the last stage; their vectors."""
        in_lp = np.flatnonzero(self.free & (self.row_of >= 0))
        rows = self.row_of[in_lp]
        positive = self.lp.row_duals[rows] > _DUAL_TOLERANCE
        settled, settled_rows = in_lp[positive], rows[positive]
        for row in settled_rows:
            self.lp.set_coefficient(row, self.n, 0.0)
        self.lp.set_row_bounds(settled_rows, self.values[settled] - self.level, np.inf)
        self.free[settled] = False
        held = np.flatnonzero(~self.held & (self.lp.column_duals[: self.n] > _DUAL_TOLERANCE))
        self.lp.set_column_bounds(held, self.standalone[held], self.standalone[held])
        self.held[held] = True
        return np.vstack([incidence_rows(settled, self.n), np.eye(self.n, dtype=np.int64)[held]])

    def drop(self, masks: np.ndarray) -> None:
        """Take ``masks`` out of the sequence: their excess is fixed; their rows, if any, bind no longer."""
        self.free[masks] = False
        rows = self.row_of[masks]
        self.lp.set_row_bounds(rows[rows >= 0], -np.inf, np.inf)


def _allocation(game: TUGame, profit_allocation: np.ndarray, name: str) -> pd.Series:
    """An allocation of the profit form back in the game's units, named: cost shares are negated (+0.0 drops −0)."""
    return pd.Series(profit_allocation * game.sign + 0.0, index=list(game.players), name=name)


def least_core(game: TUGame, domain: str = "imputation") -> LeastCore:
    """ε = min over x of max_S e(S, x) and an x attaining it (one LP stage); the core is non-empty iff ε ≤ 0.

    For a cost game, e(S, x) = x(S) − c(S) and the allocation is a cost sharing (module docstring).
    """
    profit = _profit_form(game, domain)
    if game.n == 1:
        return LeastCore(epsilon=float("-inf"), allocation=pd.Series([game.grand_value], index=list(game.players)))
    with _ExcessLP(profit, domain) as lp:
        epsilon = lp.solve_stage()
        return LeastCore(epsilon=epsilon, allocation=_allocation(game, lp.allocation, "least_core"))


def nucleolus(game: TUGame, domain: str = "imputation") -> Nucleolus:
    """The nucleolus (``imputation``) or prenucleolus (``preimputation``) by Kopelowitz's sequence of LPs.

    Schmeidler (1969): the allocation whose excesses, sorted from the largest, are lexicographically
    smallest; computed as in the module docstring. For a cost game, the nucleolus of cost sharing.
    """
    profit = _profit_form(game, domain)
    if game.n == 1:
        return Nucleolus(pd.Series([game.grand_value], index=list(game.players), name="nucleolus"), (), 0)
    span = CoalitionSpan(game.n)
    levels = []
    with _ExcessLP(profit, domain) as lp:
        while not span.full:
            levels.append(lp.solve_stage())
            fixed = lp.settle()
            if fixed.shape[0] == 0:
                raise SolverError(
                    "the nucleolus LP gave no positive dual on a free coalition or player; cannot progress"
                )
            if span.add(fixed):
                remaining = np.flatnonzero(lp.free)
                lp.drop(remaining[span.contains(remaining)])
        return Nucleolus(_allocation(game, lp.allocation, "nucleolus"), tuple(levels), lp.lp.solves)


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
    scale = game.scale
    return bool(
        abs(sums[-1] - game.grand_value) <= tolerance * scale
        and np.all(game.sign * (sums - game.values) >= -tolerance * scale)
    )


def core_point(game: TUGame) -> pd.Series | None:
    """An allocation in the core, or ``None`` when the core is empty (least core ε > 0)."""
    found = least_core(game, "preimputation")
    return found.allocation.rename("core_point") if found.epsilon <= 1e-9 * game.scale else None


#: Relative tolerance of the efficiency and rationality checks of :func:`allocation_checks`.
CHECK_TOLERANCE = 1e-9


def allocation_checks(game: TUGame, allocation: pd.Series) -> dict[str, bool | None]:
    """Efficiency Σx = v(N), individual rationality and core membership.

    Individually rational: x_i ≥ v({i}) in a profit game, x_i ≤ c({i}) in a cost game; likewise for the core.
    """
    x = allocation.reindex(list(game.players)).to_numpy(dtype=float)
    scale = game.scale
    standalone = [game.values[1 << i] for i in range(game.n)]
    rational = all(game.sign * (xi - vi) >= -CHECK_TOLERANCE * scale for xi, vi in zip(x, standalone, strict=True))
    return {
        "efficient": bool(abs(x.sum() - game.grand_value) <= CHECK_TOLERANCE * scale),
        "individually_rational": bool(rational),
        "in_core": in_core(game, x, CHECK_TOLERANCE),
    }
