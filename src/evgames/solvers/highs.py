"""HiGHS through Pyomo's persistent APPSI interface (``appsi_highs``), which works with pip's highspy.

Solutions are never loaded blindly: the termination condition is read first, so an infeasible
model gives a result with status ``infeasible`` rather than a traceback (Pyomo #2363, #3130).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import highspy
import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs

from evgames.solvers.errors import SolverOptionError
from evgames.solvers.native_output import silenced_native_stdout
from evgames.solvers.result import SolveResult, Status
from evgames.solvers.structure import ModelStructure

__all__ = ["ROUTE", "check_highs_options", "highs_solver", "new_highs", "solve_highs"]

with silenced_native_stdout():
    ROUTE = "pyomo appsi_highs (HiGHS {}.{}.{})".format(*Highs().version())

_STATUS = {
    TerminationCondition.optimal: Status.OPTIMAL,
    TerminationCondition.infeasible: Status.INFEASIBLE,
    TerminationCondition.unbounded: Status.UNBOUNDED,
    TerminationCondition.infeasibleOrUnbounded: Status.INFEASIBLE,
    TerminationCondition.maxTimeLimit: Status.TIME_LIMIT,
    TerminationCondition.maxIterations: Status.ITERATION_LIMIT,
    TerminationCondition.objectiveLimit: Status.ITERATION_LIMIT,
    TerminationCondition.error: Status.ERROR,
    TerminationCondition.interrupted: Status.ERROR,
}


def new_highs() -> highspy.Highs:
    """A silent ``highspy.Highs``: its banner (printed on descriptor 1 at construction) is discarded."""
    with silenced_native_stdout():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs


def check_highs_options(options: Mapping[str, Any]) -> None:
    """Reject option names or values HiGHS does not accept (APPSI would only print a warning)."""
    probe = new_highs()
    for name, value in options.items():
        if probe.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise SolverOptionError(
                f"HiGHS rejected option {name} = {value!r}: unknown name or wrong type "
                "(see https://ergo-code.github.io/HiGHS/stable/options/definitions/)"
            )


def highs_solver(options: Mapping[str, Any]) -> Highs:
    """An APPSI HiGHS object with checked options that never loads a solution blindly."""
    check_highs_options(options)
    solver = Highs()
    solver.config.load_solution = False
    solver.config.stream_solver = bool(options.get("output_flag", False))
    solver.highs_options = dict(options)
    return solver


def solve_highs(
    model: pyo.ConcreteModel,
    structure: ModelStructure,
    options: Mapping[str, Any],
    solver_name: str = "highs",
) -> SolveResult:
    """Solve an LP/MILP with HiGHS; ``options`` are HiGHS's own option names.

    Repeated solves of one model with changes in place go through :class:`evgames.solvers.HighsLP`.
    """
    start = time.perf_counter()
    solver = highs_solver(options)
    if solver.config.stream_solver:  # the caller asked for the log
        results = solver.solve(model)
    else:
        with silenced_native_stdout():
            results = solver.solve(model)
    status = _STATUS.get(results.termination_condition, Status.UNKNOWN)
    values: dict[str, float] = {}
    duals: dict[str, float] = {}
    objective = float("nan")
    if status is Status.OPTIMAL:
        results.solution_loader.load_vars()
        values = {v.name: float(v.value) for v in structure.variables}
        objective = float(pyo.value(structure.objective))
        if not structure.integer_variables and structure.constraints:
            duals = {c.name: float(d) for c, d in results.solution_loader.get_duals().items()}
    return SolveResult(
        status=status,
        termination_condition=str(results.termination_condition.name),
        objective=objective,
        values=values,
        solver=solver_name,
        route=ROUTE,
        wall_time=time.perf_counter() - start,
        message=f"HiGHS: {results.termination_condition.name}",
        duals=duals,
    )
