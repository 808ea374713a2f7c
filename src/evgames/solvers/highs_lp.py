"""A linear or convex-quadratic Pyomo model compiled once into HiGHS's matrix form, then changed and re-solved.

Pyomo's vectorised standard-form compiler (``LinearStandardFormCompiler``) turns the model into
``min c'x s.t. row bounds on A x, column bounds on x`` in one pass; the matrix goes to highspy, and
sequences of related LPs (the nucleolus, one MILP per coalition) change coefficients, row bounds or
column bounds through highspy's own update calls. Compared with re-translating the Pyomo model on every
solve, each change costs microseconds instead of a walk over every expression. A quadratic objective adds
HiGHS's Hessian (HiGHS solves convex QPs; a nonconvex one ends with an error status).

This is also the route of ``solve(model, "highs")`` (:func:`solve_highs`), so every HiGHS solve reads the same
options, translated from a :class:`~evgames.solvers.SolverConfig` by :mod:`evgames.solvers.options`.

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
from pyomo.common.modeling import unique_component_name
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData
from pyomo.repn import generate_standard_repn
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from evgames.solvers.config import SolverConfig
from evgames.solvers.errors import ModelTypeError, NonOptimalTerminationError
from evgames.solvers.highs import STATUS, VERSION, check_highs_options, column_wise_lp, new_highs, status_message
from evgames.solvers.options import native_options
from evgames.solvers.result import SolveResult, Status
from evgames.solvers.structure import ModelStructure

__all__ = ["ROUTE", "HighsLP", "solve_highs"]

ROUTE = f"highspy matrix via Pyomo standard form ({VERSION})"


def _compile(model: pyo.ConcreteModel) -> tuple[Any, Any]:
    """The standard form of ``model`` and its objective's quadratic part (``None`` for a linear objective).

    The compiler takes linear objectives only; for a quadratic one it compiles a stand-in holding the linear
    part, restoring the model afterwards.
    """
    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    repn = generate_standard_repn(objectives[0].expr, quadratic=True) if len(objectives) == 1 else None
    if repn is None or not repn.quadratic_vars:
        try:
            return LinearStandardFormCompiler().write(model, mixed_form=True), None
        except (ValueError, RuntimeError) as error:
            raise ModelTypeError(f"HiGHS's matrix route needs a linear or quadratic model: {error}") from None
    if repn.nonlinear_expr is not None:
        raise ModelTypeError("HiGHS's matrix route needs a linear or quadratic objective")
    objective = objectives[0]
    linear = sum((c * v for c, v in zip(repn.linear_coefs, repn.linear_vars)), repn.constant)
    stand_in = pyo.Objective(expr=linear, sense=objective.sense)
    name = unique_component_name(model, "_evgames_linear_part")
    objective.deactivate()
    model.add_component(name, stand_in)
    try:
        return LinearStandardFormCompiler().write(model, mixed_form=True), repn
    except (ValueError, RuntimeError) as error:
        raise ModelTypeError(f"HiGHS's matrix route needs a linear or quadratic model: {error}") from None
    finally:
        model.del_component(name)
        objective.activate()


def _bound(value: Any, side: int) -> float:
    """A variable bound for HiGHS: ``side`` (-1 lower, +1 upper) times HiGHS's infinity when there is none."""
    return side * highspy.kHighsInf if value is None else float(value)


def _hessian(repn: Any, column: dict[int, int], size: int, sense: float) -> highspy.HighsHessian:
    """HiGHS's lower-triangular Hessian Q of ``sense`` times the quadratic terms (HiGHS minimises c'x + x'Qx / 2)."""
    dense = np.zeros((size, size))
    for coefficient, (a, b) in zip(repn.quadratic_coefs, repn.quadratic_vars):
        i, j = column[id(a)], column[id(b)]
        dense[max(i, j), min(i, j)] += sense * float(coefficient) * (2.0 if i == j else 1.0)
    lower = np.tril(dense)
    hessian = highspy.HighsHessian()
    hessian.dim_ = size
    hessian.format_ = highspy.HessianFormat.kTriangular
    starts, indices, values = [0], [], []
    for j in range(size):  # column-wise, lower triangle
        rows = np.flatnonzero(lower[:, j])
        indices.extend(rows.tolist())
        values.extend(lower[rows, j].tolist())
        starts.append(len(indices))
    hessian.start_ = np.array(starts, dtype=np.int32)
    hessian.index_ = np.array(indices, dtype=np.int32)
    hessian.value_ = np.array(values, dtype=float)
    return hessian


class HighsLP:
    """A compiled LP/MILP bound to one ``highspy.Highs`` instance.

    Args:
        model: A linear Pyomo model with one active objective (integer variables allowed), or a convex QP.
        options: A :class:`SolverConfig` (its ``time_limit``, ``tolerance``, ``verbose`` and HiGHS tables are
            translated as for every route), or HiGHS options by HiGHS's own names.
    """

    def __init__(self, model: pyo.ConcreteModel, options: SolverConfig | Mapping[str, Any] | None = None) -> None:
        options = native_options("highs", options) if isinstance(options, SolverConfig) else dict(options or {})
        check_highs_options(options)
        self.options = options
        form, quadratic = _compile(model)
        if len(form.objectives) > 1:
            raise ModelTypeError(f"the model must have at most one active objective, found {len(form.objectives)}")
        self.model = model
        self.variables: list[VarData] = list(form.columns)
        self._names = [v.name for v in self.variables]
        self._column = {id(v): j for j, v in enumerate(self.variables)}
        self._rows: dict[int, list[tuple[int, int]]] = {}
        self._constraints: dict[int, ConstraintData] = {}
        row_lower = np.full(len(form.rows), -highspy.kHighsInf)
        row_upper = np.full(len(form.rows), highspy.kHighsInf)
        for index, (entry, rhs) in enumerate(zip(form.rows, form.rhs)):
            if entry.bound_type >= 0:
                row_upper[index] = rhs
            if entry.bound_type <= 0:
                row_lower[index] = rhs
            self._rows.setdefault(id(entry.constraint), []).append((index, entry.bound_type))
            self._constraints[id(entry.constraint)] = entry.constraint
        # No objective: a feasibility problem, solved with zero costs.
        self._sense = -1.0 if form.objectives and form.objectives[0].sense == pyo.maximize else 1.0
        self._offset = float(np.asarray(form.c_offset).ravel()[0]) if np.size(form.c_offset) else 0.0
        matrix = form.A.tocsc()
        lp = column_wise_lp(
            matrix,
            np.asarray(form.c.toarray()).ravel() if form.objectives else np.zeros(len(self.variables)),
            np.array([_bound(v.lb, -1) for v in self.variables]),
            np.array([_bound(v.ub, 1) for v in self.variables]),
            row_lower,
            row_upper,
        )
        if quadratic is not None:
            missing = {id(v): v for pair in quadratic.quadratic_vars for v in pair if id(v) not in self._column}
            if missing:  # variables only in the quadratic terms: columns with no matrix entries
                extra = list(missing.values())
                self._column.update({id(v): len(self.variables) + k for k, v in enumerate(extra)})
                self.variables += extra
                self._names += [v.name for v in extra]
                lp.num_col_ = len(self.variables)
                lp.col_cost_ = np.concatenate([lp.col_cost_, np.zeros(len(extra))])
                lp.col_lower_ = np.concatenate([lp.col_lower_, [_bound(v.lb, -1) for v in extra]])
                lp.col_upper_ = np.concatenate([lp.col_upper_, [_bound(v.ub, 1) for v in extra]])
                lp.a_matrix_.start_ = np.concatenate([matrix.indptr, np.full(len(extra), matrix.indptr[-1])])
        integer = [j for j, v in enumerate(self.variables) if not v.is_continuous()]
        if integer:
            kinds = [highspy.HighsVarType.kContinuous] * lp.num_col_
            for j in integer:
                kinds[j] = highspy.HighsVarType.kInteger
            lp.integrality_ = kinds
        self.highs = new_highs()
        for name, value in options.items():
            self.highs.setOptionValue(name, value)
        if quadratic is None:
            self.highs.passModel(lp)
        else:
            if integer:
                raise ModelTypeError("HiGHS solves QPs with continuous variables only (no MIQP)")
            qp = highspy.HighsModel()
            qp.lp_ = lp
            qp.hessian_ = _hessian(quadratic, self._column, len(self.variables), self._sense)
            self.highs.passModel(qp)
        self.integer = bool(integer)
        self.solves = 0
        self.x = np.zeros(lp.num_col_)
        self.row_duals = np.zeros(lp.num_row_)
        self.column_duals = np.zeros(lp.num_col_)

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
            self._constraints[id(constraint)] = constraint
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
        """HiGHS's dual of ``constraint`` from the last solve, for the minimisation form.

        Summed over both rows of a ranged constraint; :meth:`duals` gives every constraint in the model's own sense.
        """
        return float(sum(self.row_duals[row] for row in self.rows(constraint)))

    def duals(self) -> dict[str, float]:
        """Every constraint's dual by name, in the convention of :attr:`SolveResult.duals`; empty for a MIP.

        That is the derivative of the objective, in the model's own sense, with respect to the constraint's bound.
        """
        if self.integer:
            return {}
        return {c.name: self._sense * self.dual(c) for key, c in self._constraints.items() if key in self._rows}

    def reduced_costs(self) -> dict[str, float]:
        """Every variable's reduced cost by name, in the convention of :attr:`SolveResult.reduced_costs`."""
        if self.integer:
            return {}
        return dict(zip(self._names, (self._sense * self.column_duals).tolist()))

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
        status = STATUS.get(model_status, Status.ERROR)
        values: dict[str, float] = {}
        objective = float("nan")
        if status is Status.OPTIMAL:
            solution = self.highs.getSolution()
            self.x = np.asarray(solution.col_value, dtype=float)
            if not self.integer:
                self.row_duals = np.asarray(solution.row_dual, dtype=float)
                self.column_duals = np.asarray(solution.col_dual, dtype=float)
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
            message=status_message(status, self.highs.modelStatusToString(model_status), self.options),
        )
        if raise_on_failure and not result.ok:
            raise NonOptimalTerminationError(result)
        return result


def solve_highs(
    model: pyo.ConcreteModel,
    structure: ModelStructure,
    options: Mapping[str, Any],
    solver_name: str = "highs",
) -> SolveResult:
    """Solve an LP, MILP or convex QP once with HiGHS; ``options`` are HiGHS's own option names.

    Repeated solves of one model with changes in place keep a :class:`HighsLP` instead.
    """
    start = time.perf_counter()
    lp = HighsLP(model, options)
    result = lp.solve(raise_on_failure=False, solver_name=solver_name)
    if result.ok:
        result.duals = lp.duals()
        result.reduced_costs = lp.reduced_costs()
    result.wall_time = time.perf_counter() - start  # the compilation counts, as for every route
    return result
