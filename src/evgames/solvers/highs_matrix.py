"""An LP given to highspy as arrays, changed in place and re-solved from its last basis — no Pyomo in the loop.

:class:`evgames.solvers.HighsLP` states a problem as a Pyomo model and compiles it; sequences of many small
related LPs whose rows are known as arrays (the nucleolus: one row per coalition, added as they are needed)
pay for that compilation and for the Pyomo objects on every change. :class:`MatrixLP` skips both: rows arrive
as compressed sparse rows, bounds and coefficients change through highspy's own update calls, and each solve
starts from the previous optimal basis, so that HiGHS's simplex resumes (primal after bound relaxations, dual
after rows are added) instead of starting over.

Every solve is checked: a status other than optimal raises :class:`NonOptimalTerminationError`.

Constructing a ``highspy.Highs`` costs more than a small warm-started solve (about 0.15 ms), so an LP used as
a context manager hands its instance back on exit, cleared and with default options, for the next
:class:`MatrixLP` of the same thread to reuse (instances are never shared between threads or live LPs).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import highspy
import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from evgames.solvers.errors import NonOptimalTerminationError, SolverOptionError
from evgames.solvers.highs import STATUS, VERSION, column_wise_lp, new_highs, status_message
from evgames.solvers.result import SolveResult, Status

__all__ = ["ROUTE", "MatrixLP"]

ROUTE = f"highspy arrays, warm-started ({VERSION})"

_INFINITY = highspy.kHighsInf

#: Per thread, the ``highspy.Highs`` instances handed back by closed LPs (at most :data:`_IDLE_LIMIT`).
_idle = threading.local()
_IDLE_LIMIT = 4


def _borrow_highs() -> highspy.Highs:
    """A silent ``highspy.Highs`` with default options: an idle one of this thread, or a new one."""
    instances = getattr(_idle, "instances", None)
    return instances.pop() if instances else new_highs()


def _return_highs(highs: highspy.Highs) -> None:
    """Clear ``highs`` and keep it for this thread's next :class:`MatrixLP`."""
    instances = _idle.__dict__.setdefault("instances", [])
    if len(instances) < _IDLE_LIMIT:
        highs.clearModel()
        highs.resetOptions()
        highs.setOptionValue("output_flag", False)
        instances.append(highs)


def _finite_or_infinite(values: ArrayLike, count: int | None = None) -> np.ndarray:
    """``values`` (or one value repeated ``count`` times) as float64, ±inf replaced by HiGHS's infinity."""
    array = np.full(count, values, dtype=float) if count is not None else np.asarray(values, dtype=float)
    # highspy's kHighsInf is IEEE infinity, so ±inf pass as they are; a build with a finite one needs them clipped
    return array if _INFINITY == np.inf else np.clip(array, -_INFINITY, _INFINITY)


class MatrixLP:
    """min c'x subject to row bounds on A x and column bounds on x, held by one ``highspy.Highs``.

    Args:
        costs: The objective coefficients c, one per column.
        column_lower: Lower bounds of the columns (``-inf`` for none).
        column_upper: Upper bounds of the columns (``inf`` for none).
        options: HiGHS options by HiGHS's own names.

    The LP starts with no rows; :meth:`add_rows` appends them. Used as a context manager (``with MatrixLP(...)
    as lp:``), it hands its HiGHS instance back for reuse on exit (module docstring).
    """

    def __init__(
        self,
        costs: ArrayLike,
        column_lower: ArrayLike,
        column_upper: ArrayLike,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.options = dict(options or {})
        self.highs = _borrow_highs()
        for name, value in self.options.items():
            if self.highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
                raise SolverOptionError(f"HiGHS rejected option {name} = {value!r}: unknown name or wrong type")
        cost = np.asarray(costs, dtype=float)
        columns = cost.size
        no_rows = sparse.csc_matrix((0, columns))  # rows arrive through add_rows
        empty = np.zeros(0)
        lp = column_wise_lp(
            no_rows, cost, _finite_or_infinite(column_lower), _finite_or_infinite(column_upper), empty, empty
        )
        self.highs.passModel(lp)
        self.rows = 0
        self.solves = 0
        self.objective = float("nan")
        self.x = np.zeros(columns)
        self.row_duals = np.zeros(0)
        self.column_duals = np.zeros(columns)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Hand the HiGHS instance back for reuse; the LP cannot be solved again."""
        _return_highs(self.highs)
        del self.highs

    def add_rows(
        self, lower: ArrayLike, upper: ArrayLike, starts: ArrayLike, indices: ArrayLike, values: ArrayLike
    ) -> np.ndarray:
        """Append rows given in compressed sparse row form (``starts`` has one entry per row); their indices."""
        row_lower = _finite_or_infinite(lower)
        entries = np.asarray(indices, dtype=np.int32)
        count = row_lower.size
        self.highs.addRows(
            count,
            row_lower,
            _finite_or_infinite(upper),
            entries.size,
            np.asarray(starts, dtype=np.int32),
            entries,
            np.asarray(values, dtype=float),
        )
        added = np.arange(self.rows, self.rows + count)
        self.rows += count
        return added

    def set_row_bounds(self, rows: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> None:
        """Replace the bounds of ``rows`` in one call (``±inf`` for none; ``-inf, inf`` drops a row's effect)."""
        rows = np.asarray(rows, dtype=np.int32)
        if rows.size:
            # highspy binds changeRowsBounds but its type stubs omit it.
            self.highs.changeRowsBounds(  # type: ignore[attr-defined]
                rows.size, rows, _finite_or_infinite(lower, rows.size), _finite_or_infinite(upper, rows.size)
            )

    def set_coefficient(self, row: int, column: int, value: float) -> None:
        """Change one matrix entry (the basis is kept; HiGHS refactorises on the next solve)."""
        self.highs.changeCoeff(int(row), int(column), float(value))

    def set_column_bounds(self, columns: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> None:
        """Replace the bounds of ``columns`` in one call (``±inf`` for none)."""
        columns = np.asarray(columns, dtype=np.int32)
        if columns.size:
            lower, upper = _finite_or_infinite(lower, columns.size), _finite_or_infinite(upper, columns.size)
            self.highs.changeColsBounds(columns.size, columns, lower, upper)

    def solve(self) -> float:
        """Solve from the last basis; the optimal objective (``x`` and the duals are stored).

        Raises :class:`NonOptimalTerminationError` unless HiGHS proves optimality.
        """
        start = time.perf_counter()
        self.highs.run()
        self.solves += 1
        model_status = self.highs.getModelStatus()
        status = STATUS.get(model_status, Status.ERROR)
        if status is not Status.OPTIMAL:
            text = self.highs.modelStatusToString(model_status)
            raise NonOptimalTerminationError(
                SolveResult(
                    status=status,
                    termination_condition=text,
                    objective=float("nan"),
                    values={},
                    solver="highs",
                    route=ROUTE,
                    wall_time=time.perf_counter() - start,
                    message=status_message(status, text, self.options),
                )
            )
        solution = self.highs.getSolution()
        self.x = np.asarray(solution.col_value, dtype=float)
        self.row_duals = np.asarray(solution.row_dual, dtype=float)
        self.column_duals = np.asarray(solution.col_dual, dtype=float)
        self.objective = float(self.highs.getObjectiveValue())
        return self.objective
