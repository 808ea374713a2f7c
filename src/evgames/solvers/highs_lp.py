"""A linear Pyomo model compiled once into HiGHS's matrix form, then changed in place and re-solved.

Pyomo's vectorised standard-form compiler (``LinearStandardFormCompiler``) turns the model into
``min c'x s.t. row bounds on A x, column bounds on x`` in one pass; the matrix goes to highspy, and
sequences of related LPs (the nucleolus, one MILP per coalition) change coefficients, row bounds or
column bounds through highspy's own update calls. Compared with re-translating the Pyomo model on every
solve, each change costs microseconds instead of a walk over every expression.

The Pyomo model stays the statement of the first problem; the changes are made with the methods below,
which take Pyomo components, so callers never handle row or column indices.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData
from pyomo.repn import generate_standard_repn
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from evgames.solvers.errors import ModelTypeError, NonOptimalTerminationError
from evgames.solvers.highs import ROUTE as APPSI_ROUTE
from evgames.solvers.highs import check_highs_options, new_highs
from evgames.solvers.result import SolveResult, Status

__all__ = ["HighsLP"]

ROUTE = "highspy matrix via Pyomo standard form " + APPSI_ROUTE[APPSI_ROUTE.index("(") :]

_STATUS = {
    highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Status.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kTimeLimit: Status.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: Status.ITERATION_LIMIT,
}


class HighsLP:
    """A compiled LP/MILP bound to one ``highspy.Highs`` instance.

    Args:
        model: A linear Pyomo model with one active objective (integer variables allowed).
        options: HiGHS options by HiGHS's own names.
    """

    def __init__(self, model: pyo.ConcreteModel, options: Mapping[str, Any] | None = None) -> None:
        options = dict(options or {})
        check_highs_options(options)
        try:
            form = LinearStandardFormCompiler().write(model, mixed_form=True)
        except (ValueError, RuntimeError) as error:
            raise ModelTypeError(f"HiGHS's matrix route needs a linear model: {error}") from None
        if len(form.objectives) != 1:
            raise ModelTypeError(f"the model must have exactly one active objective, found {len(form.objectives)}")
        self.model = model
        self.variables: list[VarData] = list(form.columns)
        self._names = [v.name for v in self.variables]
        self._column = {id(v): j for j, v in enumerate(self.variables)}
        self._rows: dict[int, list[tuple[int, int]]] = {}
        row_lower = np.full(len(form.rows), -highspy.kHighsInf)
        row_upper = np.full(len(form.rows), highspy.kHighsInf)
        for index, (entry, rhs) in enumerate(zip(form.rows, form.rhs)):
            if entry.bound_type >= 0:
                row_upper[index] = rhs
            if entry.bound_type <= 0:
                row_lower[index] = rhs
            self._rows.setdefault(id(entry.constraint), []).append((index, entry.bound_type))
        self._sense = -1.0 if form.objectives[0].sense == pyo.maximize else 1.0
        self._offset = float(np.asarray(form.c_offset).ravel()[0]) if np.size(form.c_offset) else 0.0
        matrix = form.A.tocsc()
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.variables)
        lp.num_row_ = len(form.rows)
        lp.col_cost_ = np.asarray(form.c.toarray()).ravel()
        lp.col_lower_ = np.array([-highspy.kHighsInf if v.lb is None else float(v.lb) for v in self.variables])
        lp.col_upper_ = np.array([highspy.kHighsInf if v.ub is None else float(v.ub) for v in self.variables])
        lp.row_lower_ = row_lower
        lp.row_upper_ = row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        integer = [j for j, v in enumerate(self.variables) if not v.is_continuous()]
        if integer:
            kinds = [highspy.HighsVarType.kContinuous] * lp.num_col_
            for j in integer:
                kinds[j] = highspy.HighsVarType.kInteger
            lp.integrality_ = kinds
        self.highs = new_highs()
        for name, value in options.items():
            self.highs.setOptionValue(name, value)
        self.highs.passModel(lp)
        self.integer = bool(integer)
        self.solves = 0
        self.x = np.zeros(lp.num_col_)
        self.row_duals = np.zeros(lp.num_row_)

    def column(self, variable: VarData) -> int:
        """Column index of ``variable`` (raises KeyError for a variable not in the model's LP)."""
        return self._column[id(variable)]

    def rows(self, constraint: ConstraintData) -> list[int]:
        """Row indices of ``constraint`` (two for a ranged constraint)."""
        return [index for index, _ in self._rows[id(constraint)]]

    def set_coefficient(self, constraint: ConstraintData, variable: VarData, value: float) -> None:
        """Change the coefficient of ``variable`` in ``constraint``."""
        column = self.column(variable)
        for row in self.rows(constraint):
            self.highs.changeCoeff(row, column, float(value))

    def set_constraint_bounds(self, constraint: ConstraintData, lower: float | None, upper: float | None) -> None:
        """Replace the bounds of ``constraint``'s body (``None``: unbounded on that side)."""
        low = -highspy.kHighsInf if lower is None else float(lower)
        high = highspy.kHighsInf if upper is None else float(upper)
        entries = self._rows[id(constraint)]
        if len(entries) == 1:
            self.highs.changeRowBounds(entries[0][0], low, high)
            return
        for row, bound_type in entries:  # a ranged constraint: one row per side
            if bound_type < 0:
                self.highs.changeRowBounds(row, low, highspy.kHighsInf)
            else:
                self.highs.changeRowBounds(row, -highspy.kHighsInf, high)

    def add_constraints(self, constraints: list[ConstraintData]) -> None:
        """Add constraints declared on the model after compilation (their variables must be columns).

        Rows are appended in one highspy call; each body is expanded to its linear form here.
        """
        starts, indices, values, lower, upper = [0], [], [], [], []
        for constraint in constraints:
            repn = generate_standard_repn(constraint.body, compute_values=True, quadratic=False)
            if not repn.is_linear():
                raise ModelTypeError(f"constraint {constraint.name} is not linear")
            constant = float(repn.constant)
            for coefficient, variable in zip(repn.linear_coefs, repn.linear_vars):
                indices.append(self.column(variable))
                values.append(float(coefficient))
            starts.append(len(indices))
            lower.append(-highspy.kHighsInf if constraint.lb is None else float(constraint.lb) - constant)
            upper.append(highspy.kHighsInf if constraint.ub is None else float(constraint.ub) - constant)
            bound_type = 0 if constraint.equality else (-1 if constraint.ub is None else 1)
            self._rows[id(constraint)] = [(self.highs.getNumRow() + len(lower) - 1, bound_type)]
        if not lower:
            return
        self.highs.addRows(
            len(lower),
            np.array(lower),
            np.array(upper),
            len(indices),
            np.array(starts[:-1], dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.array(values),
        )
        self.row_duals = np.zeros(self.highs.getNumRow())

    def relax_constraints(self, constraints: list[ConstraintData]) -> None:
        """Drop ``constraints`` from the LP (their rows become free) in one call."""
        rows = np.array([row for constraint in constraints for row in self.rows(constraint)], dtype=np.int32)
        if rows.size:
            infinite = np.full(rows.size, highspy.kHighsInf)
            # highspy binds changeRowsBounds but its type stubs omit it.
            self.highs.changeRowsBounds(rows.size, rows, -infinite, infinite)  # type: ignore[attr-defined]

    def set_variables_bounds(self, variables: Sequence[VarData], lower: np.ndarray, upper: np.ndarray) -> None:
        """Replace the bounds of many variables in one call (``±inf`` for none)."""
        columns = np.array([self.column(v) for v in variables], dtype=np.int32)
        low = np.where(np.isfinite(lower), lower, -highspy.kHighsInf).astype(float)
        high = np.where(np.isfinite(upper), upper, highspy.kHighsInf).astype(float)
        self.highs.changeColsBounds(columns.size, columns, low, high)

    def set_variable_bounds(self, variable: VarData, lower: float | None, upper: float | None) -> None:
        """Replace the bounds of ``variable`` (``None``: unbounded on that side)."""
        low = -highspy.kHighsInf if lower is None else float(lower)
        high = highspy.kHighsInf if upper is None else float(upper)
        self.highs.changeColBounds(self.column(variable), low, high)

    def dual(self, constraint: ConstraintData) -> float:
        """Dual value of ``constraint`` from the last solve (sum over the rows of a ranged constraint)."""
        return float(sum(self.row_duals[row] for row in self.rows(constraint)))

    def solve(self, *, raise_on_failure: bool = True, solver_name: str = "highs") -> SolveResult:
        """Solve; on optimality the values are stored in ``x`` and loaded into the Pyomo variables."""
        start = time.perf_counter()
        if self.integer and self.solves:
            # HiGHS 1.16 re-solving a MIP after bounds changed in place can report the previous search's
            # incumbent as optimal (seen here: coalitions {1,2,3,4} then {1,2,3,4,6} of a 6-station city
            # gave 92 above the true optimum); MIPs gain nothing from a warm start here, so start afresh.
            self.highs.clearSolver()
        self.highs.run()
        self.solves += 1
        model_status = self.highs.getModelStatus()
        status = _STATUS.get(model_status, Status.ERROR)
        values: dict[str, float] = {}
        objective = float("nan")
        if status is Status.OPTIMAL:
            solution = self.highs.getSolution()
            self.x = np.asarray(solution.col_value, dtype=float)
            if not self.integer:
                self.row_duals = np.asarray(solution.row_dual, dtype=float)
            for variable, value in zip(self.variables, self.x):
                variable.set_value(float(value), skip_validation=True)
            objective = self._sense * (self.highs.getInfo().objective_function_value + self._offset)
            values = dict(zip(self._names, self.x.tolist()))
        result = SolveResult(
            status=status,
            termination_condition=self.highs.modelStatusToString(model_status),
            objective=objective,
            values=values,
            solver=solver_name,
            route=ROUTE,
            wall_time=time.perf_counter() - start,
            iterations=int(self.highs.getInfo().simplex_iteration_count),
            message=self.highs.modelStatusToString(model_status),
        )
        if raise_on_failure and not result.ok:
            raise NonOptimalTerminationError(result)
        return result
