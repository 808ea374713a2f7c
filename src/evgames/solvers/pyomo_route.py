"""Any other solver Pyomo knows (glpk, cbc, gurobi, its own ipopt or cyipopt, ...), when it really works.

``SolverFactory(name).available()`` can say True for a solver that cannot solve anything (Pyomo's
cyipopt without the ASL library is the measured case), so a solver is accepted only after a tiny
test solve of the same problem class succeeds. The probe's outcome is cached per process.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from typing import Any

import pyomo.environ as pyo
from pyomo.opt import SolverStatus, TerminationCondition

from evgames.solvers.errors import SolverNotAvailableError
from evgames.solvers.result import SolveResult, Status
from evgames.solvers.structure import ModelStructure

__all__ = ["probe_pyomo_solver", "solve_with_pyomo"]

_STATUS = {
    TerminationCondition.optimal: Status.OPTIMAL,
    TerminationCondition.locallyOptimal: Status.OPTIMAL,
    TerminationCondition.globallyOptimal: Status.OPTIMAL,
    TerminationCondition.infeasible: Status.INFEASIBLE,
    TerminationCondition.unbounded: Status.UNBOUNDED,
    TerminationCondition.infeasibleOrUnbounded: Status.INFEASIBLE_OR_UNBOUNDED,
    TerminationCondition.maxTimeLimit: Status.TIME_LIMIT,
    TerminationCondition.maxIterations: Status.ITERATION_LIMIT,
    TerminationCondition.maxEvaluations: Status.ITERATION_LIMIT,
    TerminationCondition.error: Status.ERROR,
}


def _probe_model(nonlinear: bool) -> pyo.ConcreteModel:
    model = pyo.ConcreteModel()
    model.x = pyo.Var(bounds=(0.1, 4), initialize=1)
    model.y = pyo.Var(bounds=(0.1, 4), initialize=1)
    model.total = pyo.Constraint(expr=model.x + model.y <= 3)
    expr = pyo.log(model.x) + 2 * pyo.log(model.y) if nonlinear else model.x + 2 * model.y
    model.objective = pyo.Objective(expr=expr, sense=pyo.maximize)
    return model


@functools.cache
def probe_pyomo_solver(name: str, nonlinear: bool) -> str:
    """Return the solver's version text if a tiny solve works, else raise SolverNotAvailableError."""
    try:
        solver = pyo.SolverFactory(name)
    except Exception as error:
        raise SolverNotAvailableError(f"Pyomo cannot create solver '{name}': {error}") from None
    if solver is None or not solver.available(exception_flag=False):
        raise SolverNotAvailableError(
            f"solver '{name}' is not available to Pyomo: install it (e.g. its executable on PATH), "
            "or use one of evgames' own solvers: ipopt, highs, pso"
        )
    model = _probe_model(nonlinear)
    try:
        results = solver.solve(model, load_solutions=False)
    except Exception as error:
        raise SolverNotAvailableError(
            f"solver '{name}' reports itself available but fails a test solve ({type(error).__name__}: {error}); "
            "for Ipopt use solver 'ipopt', which runs through evgames' cyipopt adapter"
        ) from None
    if results.solver.termination_condition not in (
        TerminationCondition.optimal,
        TerminationCondition.locallyOptimal,
        TerminationCondition.globallyOptimal,
    ):
        raise SolverNotAvailableError(f"solver '{name}' failed a test solve: {results.solver.termination_condition}")
    version = solver.version() if hasattr(solver, "version") else None
    return ".".join(map(str, version)) if isinstance(version, tuple) else str(version or "unknown version")


def solve_with_pyomo(
    model: pyo.ConcreteModel, structure: ModelStructure, name: str, options: Mapping[str, Any], verbose: bool
) -> SolveResult:
    """Solve with ``pyo.SolverFactory(name)`` after a successful probe; ``options`` are passed verbatim."""
    start = time.perf_counter()
    version = probe_pyomo_solver(name, structure.nonlinear)
    solver = pyo.SolverFactory(name)
    results = solver.solve(model, load_solutions=False, tee=verbose, options=dict(options))
    condition = results.solver.termination_condition
    status = _STATUS.get(condition, Status.UNKNOWN)
    if results.solver.status == SolverStatus.error and status is Status.UNKNOWN:
        status = Status.ERROR
    values: dict[str, float] = {}
    objective = float("nan")
    if status is Status.OPTIMAL:
        model.solutions.load_from(results)
        values = {v.name: float(v.value) for v in structure.variables}
        objective = float(pyo.value(structure.objective)) if structure.objective is not None else 0.0
    return SolveResult(
        status=status,
        termination_condition=str(condition),
        objective=objective,
        values=values,
        solver=name,
        route=f"pyomo SolverFactory('{name}') ({version})",
        wall_time=time.perf_counter() - start,
        message=str(results.solver.message or condition),
    )
