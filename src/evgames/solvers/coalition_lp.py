"""One LP or MILP per coalition: columns owned by sets of players, open only when all their owners are in.

A coalition game whose value is an optimisation (the station alliance of seed 001 §4) solves

    v(S) = max profit·x − Σ_{j∈S} fixed_j − joint·[|S| ≥ 2]
           s.t. row_lower ≤ A x ≤ row_upper,  0 ≤ x_c ≤ upper_c·[owners_c ⊆ S]  (x integer for a MILP)

for many coalitions S. :class:`CoalitionProgram` holds that family as plain arrays, taken once from a compiled
Pyomo model (:class:`~evgames.solvers.HighsLP`), so that worker processes receive a few numpy arrays and
import neither Pyomo nor the models (their start-up is the import of highspy). :class:`CoalitionProgramSolver`
re-solves it coalition after coalition:

* columns that are zero in every coalition, and rows left without columns, are dropped;
* for a MILP whose columns are all integer with integer coefficients, every row's activity is an integer and
  ``A x ≤ b`` holds for the same integer points as ``A x ≤ ⌊b⌋``: the rows are floored;
* each coalition is first solved as the LP relaxation, warm-started by HiGHS's dual simplex from the previous
  coalition's basis (change one player at a time, e.g. in Gray-code order, and it takes a few pivots). The
  rounded LP optimum is accepted when it is within :data:`INTEGRALITY_TOLERANCE` of the LP optimum, meets
  every row and bound, and its profit equals the LP bound to :data:`PROOF_TOLERANCE`: a feasible integer point
  worth a relaxation's bound is optimal. For a totally unimodular matrix (the alliance's: each diversion sits
  in one capacity row and one overflow row) with integer bounds and right-hand sides this always happens;
* otherwise the MILP is solved, after ``clearSolver``: HiGHS 1.16 re-solving a MIP whose bounds changed in
  place can report the previous search's incumbent as optimal (a 6-station city once gave a coalition 92.1
  above its optimum).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
from scipy import sparse

from evgames.solvers.highs import STATUS, column_wise_lp, new_highs
from evgames.solvers.result import Status

if TYPE_CHECKING:
    from evgames.solvers.highs_lp import HighsLP

__all__ = [
    "INTEGRALITY_TOLERANCE",
    "PROOF_TOLERANCE",
    "CoalitionProgram",
    "CoalitionProgramSolver",
    "release_worker_solvers",
    "solve_chunk",
]

#: Distance from an integer within which a relaxed value is taken as that integer (HiGHS's default
#: mip_feasibility_tolerance); the rounded point is then checked exactly against the rows and bounds.
INTEGRALITY_TOLERANCE = 1e-6

#: Slack with which an integer row's bound is rounded: the model's own vehicle bounds use the same (a capacity
#: of 2.999999 vehicles holds 2, in a row as in a bound).
ROW_ROUNDING = 1e-9

#: Largest gap, relative to max(1, |bound|), between the LP bound and the profit of its rounded point for that
#: point to be taken as the MILP's optimum (HiGHS's own MIP stops at a relative gap of 1e-4).
PROOF_TOLERANCE = 1e-9


@dataclass(frozen=True)
class CoalitionProgram:
    """The family of the module docstring in plain arrays, cut to the columns some coalition can use.

    Attributes:
        matrix: A over the kept rows and columns (CSR).
        row_lower: Lower row bounds (−inf for none), rounded up for an integer program.
        row_upper: Upper row bounds (+inf for none), rounded down for an integer program.
        upper: Each column's upper bound when its owners are all in the coalition (lower bounds are 0).
        owners: Each column's owners as a bitmask (bit i = player i).
        profit: Each column's profit per unit, in the maximisation sense.
        integer: Whether the columns are integer (a MILP) rather than continuous.
        fixed: Each player's fixed cost, subtracted when it is in the coalition.
        joint: Cost of any coalition of two or more players.
        alone: Each player's value alone, when it has a closed form (then not solved), or ``None``.
        options: HiGHS options by HiGHS's own names.
    """

    matrix: sparse.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    upper: np.ndarray
    owners: np.ndarray
    profit: np.ndarray
    integer: bool
    fixed: np.ndarray
    joint: float
    alone: np.ndarray | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_highs(
        cls,
        lp: HighsLP,
        owners: np.ndarray,
        fixed: np.ndarray,
        joint: float,
        alone: np.ndarray | None = None,
    ) -> CoalitionProgram:
        """The program of a compiled maximisation ``lp`` (its grand coalition's bounds), ``owners`` by LP column.

        The model's constant objective terms are left out: ``fixed`` and ``joint`` replace them.
        """
        grand = lp.highs.getLp()
        upper = np.asarray(grand.col_upper_, dtype=float)
        if np.any(np.asarray(grand.col_lower_) != 0):
            raise ValueError("a coalition program's columns have lower bound 0")
        columns = np.flatnonzero(upper > 0)  # the others are zero in every coalition
        entries = grand.a_matrix_
        layout = sparse.csc_matrix if entries.format_ == highspy.MatrixFormat.kColwise else sparse.csr_matrix
        matrix = (
            layout(
                (np.asarray(entries.value_), np.asarray(entries.index_), np.asarray(entries.start_)),
                shape=(grand.num_row_, grand.num_col_),
            )
            .tocsc()[:, columns]
            .tocsr()
        )
        row_lower = np.asarray(grand.row_lower_, dtype=float)
        row_upper = np.asarray(grand.row_upper_, dtype=float)
        integer = lp.integer and len(grand.integrality_) == grand.num_col_
        integer = integer and all(kind != highspy.HighsVarType.kContinuous for kind in grand.integrality_)
        if integer and np.all(matrix.data == np.round(matrix.data)):
            row_upper = np.floor(row_upper + ROW_ROUNDING)
            row_lower = np.ceil(row_lower - ROW_ROUNDING)
        # a row without columns holds in every coalition when zero meets it; one that zero breaks stays, so
        # that every coalition is infeasible, as in the model
        rows = np.flatnonzero((np.diff(matrix.indptr) > 0) | (row_lower > 0) | (row_upper < 0))
        return cls(
            matrix=matrix[rows],
            row_lower=row_lower[rows],
            row_upper=row_upper[rows],
            upper=upper[columns],
            owners=np.asarray(owners, dtype=np.int64)[columns],
            profit=-np.asarray(grand.col_cost_, dtype=float)[columns],  # HiGHS minimises the negated profit
            integer=integer,
            fixed=np.asarray(fixed, dtype=float),
            joint=float(joint),
            alone=None if alone is None else np.asarray(alone, dtype=float),
            options=dict(lp.options),
        )

    def fixed_cost(self, mask: int) -> float:
        """Σ_{j∈S} fixed_j + joint·[|S| ≥ 2] for the coalition of bitmask ``mask``."""
        inside = np.array([mask >> i & 1 for i in range(self.fixed.size)], dtype=bool)
        return float(self.fixed[inside].sum()) + (self.joint if inside.sum() > 1 else 0.0)


class CoalitionProgramSolver:
    """Re-solves a :class:`CoalitionProgram` coalition after coalition (see the module docstring).

    ``prove_by_relaxation=False`` solves every coalition as the MILP. ``relaxed_solves`` and ``milp_solves``
    count the solves of each kind.
    """

    def __init__(self, program: CoalitionProgram, prove_by_relaxation: bool = True) -> None:
        self.program = program
        self.prove_by_relaxation = prove_by_relaxation
        self.upper = np.zeros(program.upper.size)  # the empty coalition: every column at zero
        self.mask = 0
        self.relaxation = self._highs(integer=False)
        self._milp: highspy.Highs | None = None
        self.relaxed_solves = 0
        self.milp_solves = 0

    def _highs(self, integer: bool) -> highspy.Highs:
        program = self.program
        lp = column_wise_lp(
            program.matrix,
            -program.profit,
            np.zeros(program.upper.size),
            self.upper.copy(),
            program.row_lower,
            program.row_upper,
        )
        if integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * program.upper.size
        highs = new_highs()
        if integer:  # the fallback closes its gap as far as the relaxation's proof does (PROOF_TOLERANCE)
            highs.setOptionValue("mip_rel_gap", PROOF_TOLERANCE)
        for name, value in program.options.items():  # time limit, tolerances and [solver.highs] as for one solve
            highs.setOptionValue(name, value)
        highs.passModel(lp)
        return highs

    def _run(self, highs: highspy.Highs) -> None:
        """One solve, its time limit (if any) counted from now: HiGHS's run clock adds up over an instance's runs."""
        limit = self.program.options.get("time_limit")
        if limit is not None:
            highs.setOptionValue("time_limit", highs.getRunTime() + float(limit))
        highs.run()

    def restart(self) -> None:
        """Forget the basis, so that the next values depend only on the coalitions asked for from here on."""
        self.relaxation.clearSolver()

    def _open(self, mask: int) -> None:
        """Bound the relaxation's columns to coalition ``mask``, changing only those whose owners moved."""
        changed = np.flatnonzero(self.program.owners & (mask ^ self.mask))
        if changed.size:
            upper = np.where((self.program.owners[changed] & ~mask) == 0, self.program.upper[changed], 0.0)
            self.upper[changed] = upper
            self.relaxation.changeColsBounds(changed.size, changed.astype(np.int32), np.zeros(changed.size), upper)
        self.mask = mask

    def _relaxed_profit(self) -> float | None:
        """The relaxation's optimal profit when it proves the program's optimum (module docstring), else None."""
        self.relaxed_solves += 1
        self._run(self.relaxation)
        if STATUS.get(self.relaxation.getModelStatus()) is not Status.OPTIMAL:
            return None
        found = self.relaxation.getSolution()
        # a column whose station just left may keep a value within HiGHS's tolerance of its new bound 0
        solution = np.clip(np.asarray(found.col_value, dtype=float), 0.0, self.upper)
        if not self.program.integer:
            return float(self.program.profit @ solution)
        point = np.round(solution)
        if np.abs(solution - point).max(initial=0.0) > INTEGRALITY_TOLERANCE:
            return None
        activity = self.program.matrix @ point
        feasible = np.all(activity <= self.program.row_upper) and np.all(activity >= self.program.row_lower)
        profit = float(self.program.profit @ point)
        bound = self._dual_bound(np.asarray(found.row_dual, dtype=float))
        return profit if feasible and bound - profit <= PROOF_TOLERANCE * max(1.0, abs(bound)) else None

    def _dual_bound(self, row_dual: np.ndarray) -> float:
        """An upper bound on the relaxation's profit from any row duals y (weak duality), hence on the MILP's.

        HiGHS minimises c'x = −profit'x over row_lower ≤ Ax ≤ row_upper, 0 ≤ x ≤ u. For y with y_i ≥ 0 only where
        row i has a lower bound and y_i ≤ 0 only where it has an upper one, c'x ≥ Σ_i y_i·(bound i met) +
        Σ_j min(0, (c − A'y)_j)·u_j for every feasible x. The LP's own objective is optimal only within its
        dual tolerance (a column of profit 1e-7 can sit at 0 with a reduced cost of −1e-7 over a bound of 3e6),
        so the proof takes this bound, which holds for whatever y HiGHS returns.
        """
        program = self.program
        y = np.where(np.isfinite(program.row_lower), row_dual, np.minimum(row_dual, 0.0))
        y = np.where(np.isfinite(program.row_upper), y, np.maximum(y, 0.0))
        met = np.where(y > 0, program.row_lower, np.where(y < 0, program.row_upper, 0.0))  # no 0 × inf
        reduced = -program.profit - program.matrix.T @ y
        return -(float(y @ met) + float(np.minimum(reduced, 0.0) @ self.upper))

    def _milp_profit(self) -> tuple[float, Status]:
        """The program solved from scratch with its integrality (the MILP), at the current bounds."""
        if self._milp is None:
            self._milp = self._highs(integer=self.program.integer)
        columns = np.arange(self.upper.size, dtype=np.int32)
        self._milp.changeColsBounds(columns.size, columns, np.zeros(columns.size), self.upper)
        self._milp.clearSolver()  # HiGHS 1.16's stale incumbent (module docstring)
        self._run(self._milp)
        self.milp_solves += 1
        status = STATUS.get(self._milp.getModelStatus(), Status.ERROR)
        if status is not Status.OPTIMAL:
            return float("nan"), status
        point = np.asarray(self._milp.getSolution().col_value, dtype=float)
        return float(self.program.profit @ (np.round(point) if self.program.integer else point)), status

    def value(self, mask: int) -> tuple[float, Status]:
        """v(S) for the coalition of bitmask ``mask`` (solved, even for one player) and the status behind it."""
        self._open(mask)
        profit = self._relaxed_profit() if self.prove_by_relaxation else None
        status = Status.OPTIMAL
        if profit is None:
            profit, status = self._milp_profit()
        return profit - self.program.fixed_cost(mask), status


#: The solvers a worker keeps between chunks of one sweep, by the sweep's token and the thread that runs them
#: (an executor's threads must not share one HiGHS instance).
_WORKER_SOLVERS: dict[tuple[str, int], CoalitionProgramSolver] = {}

_WORKER_LOCK = threading.Lock()


def _worker_solver(token: str, program: CoalitionProgram) -> CoalitionProgramSolver:
    """Sweep ``token``'s solver in this worker thread, made on its first chunk only."""
    key = (token, threading.get_ident())
    with _WORKER_LOCK:
        if key not in _WORKER_SOLVERS:
            for stale in [other for other in _WORKER_SOLVERS if other[0] != token]:
                del _WORKER_SOLVERS[stale]  # one sweep at a time: drop an earlier sweep's solvers
            _WORKER_SOLVERS[key] = CoalitionProgramSolver(program)
        return _WORKER_SOLVERS[key]


def release_worker_solvers(token: str) -> None:
    """Drop sweep ``token``'s solvers kept in this process (after an in-process or thread-pool sweep)."""
    with _WORKER_LOCK:
        for key in [key for key in _WORKER_SOLVERS if key[0] == token]:
            del _WORKER_SOLVERS[key]


def solve_chunk(program: CoalitionProgram, token: str, masks: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
    """Worker: v(S) for each bitmask of ``masks``, and the status of each coalition not solved to optimality.

    The solver is kept in the worker for the sweep's later chunks (``token``); each chunk starts from a cold
    basis, so its values are the same whichever worker, executor or earlier chunk ran before. A player alone
    takes ``program.alone`` when given. Only numbers travel back.
    """
    solver = _worker_solver(token, program)
    solver.restart()
    values = np.empty(len(masks))
    failures: dict[int, str] = {}
    for index, mask in enumerate(np.asarray(masks).tolist()):
        if program.alone is not None and mask & (mask - 1) == 0:
            values[index] = program.alone[mask.bit_length() - 1]
            continue
        values[index], status = solver.value(mask)
        if status is not Status.OPTIMAL:
            failures[mask] = status.value
    return values, failures
