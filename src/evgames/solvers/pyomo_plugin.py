"""evgames' solvers as Pyomo citizens: ``pyo.SolverFactory("evgames_ipopt")`` and ``pyo.SolverFactory("evgames_pso")``.

A script written for Pyomo's Ipopt interface runs unchanged except for the solver name::

    opt = pyo.SolverFactory("evgames_ipopt")
    results = opt.solve(model, tee=False, options={"tol": 1e-10})
    pyo.assert_optimal_termination(results)
    print(model.dual[model.some_constraint])

``solve`` returns a legacy :class:`pyomo.opt.SolverResults` and fills the active IMPORT suffixes ``dual``,
``rc``, ``ipopt_zL_out`` and ``ipopt_zU_out``. Signs follow Pyomo's HiGHS and Ipopt interfaces: a constraint's
dual is the derivative of the objective with respect to the constraint's bound (see
:attr:`evgames.solvers.SolveResult.duals`); ``rc`` is the same derivative for the variable's active bound;
``ipopt_zL_out`` is its part from lower bounds (>= 0 when minimising) and ``ipopt_zU_out`` its part from upper
bounds (<= 0 when minimising).

A swarm proves nothing, so ``evgames_pso`` never reports ``optimal``: a converged swarm ends with termination
condition ``feasible`` and solver status ``ok``, and ``pyo.assert_optimal_termination`` fails on it on purpose.

This module imports only ``pyomo.opt`` (about 0.1 s) at import time, because it runs when ``pyomo.opt`` has just
been imported, possibly in the middle of ``import pyomo.environ``; the rest of Pyomo and the solver stack are
imported by the first ``solve``.
:mod:`evgames.solvers.pyomo_hook` imports it as soon as Pyomo's ``pyomo.opt`` is imported.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Mapping
from typing import Any

from pyomo.common.collections import Bunch
from pyomo.opt import SolverFactory, SolverResults, SolverStatus, TerminationCondition
from pyomo.opt.results.solution import Solution, SolutionStatus

from evgames.solvers.config import SolverConfig
from evgames.solvers.result import SolveResult, Status

__all__ = ["PYOMO_NAMES", "EvgamesIpopt", "EvgamesPSO", "register", "termination_of"]

#: evgames status -> (Pyomo solver status, termination condition, solution status). Only ``optimal`` is optimal.
_TERMINATION: dict[Status, tuple[SolverStatus, TerminationCondition, SolutionStatus]] = {
    Status.OPTIMAL: (SolverStatus.ok, TerminationCondition.optimal, SolutionStatus.optimal),
    Status.CONVERGED: (SolverStatus.ok, TerminationCondition.feasible, SolutionStatus.feasible),
    Status.NO_FEASIBLE_POINT: (SolverStatus.warning, TerminationCondition.noSolution, SolutionStatus.unsure),
    Status.ACCEPTABLE: (SolverStatus.warning, TerminationCondition.other, SolutionStatus.feasible),
    Status.INFEASIBLE: (SolverStatus.warning, TerminationCondition.infeasible, SolutionStatus.infeasible),
    Status.UNBOUNDED: (SolverStatus.warning, TerminationCondition.unbounded, SolutionStatus.unbounded),
    Status.INFEASIBLE_OR_UNBOUNDED: (
        SolverStatus.warning,
        TerminationCondition.infeasibleOrUnbounded,
        SolutionStatus.unsure,
    ),
    Status.TIME_LIMIT: (SolverStatus.aborted, TerminationCondition.maxTimeLimit, SolutionStatus.stoppedByLimit),
    Status.ITERATION_LIMIT: (SolverStatus.aborted, TerminationCondition.maxIterations, SolutionStatus.stoppedByLimit),
    Status.ERROR: (SolverStatus.error, TerminationCondition.error, SolutionStatus.error),
    Status.UNKNOWN: (SolverStatus.unknown, TerminationCondition.unknown, SolutionStatus.unknown),
}


def termination_of(status: Status) -> tuple[SolverStatus, TerminationCondition, SolutionStatus]:
    """Pyomo's (solver status, termination condition, solution status) for an evgames :class:`Status`."""
    return _TERMINATION[status]


class _EvgamesSolver:
    """A legacy Pyomo solver object backed by one route of :func:`evgames.solvers.solve`.

    ``options`` (a dict, as in Pyomo's interfaces) holds the solver's own option names; the ``options``
    argument of :meth:`solve` is added to it for that call only.
    """

    route = ""  # the evgames registry name
    modules: tuple[str, ...] = ()  # what the route imports: available() checks them

    def __init__(self, **kwds: Any) -> None:
        self.name = f"evgames_{self.route}"
        self.options = Bunch(**dict(kwds.get("options") or {}))

    def __enter__(self) -> _EvgamesSolver:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def available(self, exception_flag: bool = True) -> bool:
        """True when the route's libraries import and a tiny problem solves (the answer is cached)."""
        ok = _route_works(self.route, self.modules)
        if not ok and exception_flag:
            from pyomo.common.errors import ApplicationError

            raise ApplicationError(f"solver {self.name} is not available: install {', '.join(self.modules)}")
        return ok

    def license_is_valid(self) -> bool:
        """Open-source: always valid."""
        return True

    def version(self) -> tuple[int, ...]:
        """The evgames version as a tuple (the route and library versions are in the results' message)."""
        from importlib.metadata import version

        return tuple(int(part) for part in version("evgames").split(".")[:3] if part.isdigit())

    def warm_start_capable(self) -> bool:
        """Every solve starts from the model's current values, as with Pyomo's Ipopt."""
        return True

    def set_options(self, text: str) -> None:
        """Pyomo's ``"name=value name2=value2"`` form."""
        for token in text.split():
            key, _, value = token.partition("=")
            self.options[key] = value

    def solve(
        self,
        model: Any,
        tee: bool = False,
        options: Mapping[str, Any] | None = None,
        load_solutions: bool = True,
        timelimit: float | None = None,
        **_ignored: Any,
    ) -> SolverResults:
        """Solve ``model`` and return Pyomo's :class:`SolverResults`.

        Args:
            model: A Pyomo model with one active objective (or none: a feasibility problem).
            tee: Show the solver's log.
            options: Solver options by the solver's own names, for this call only.
            load_solutions: Load values and IMPORT suffixes into the model; with ``False`` the model is left as
                it was and ``model.solutions.load_from(results)`` loads them later.
            timelimit: Wall-clock limit in seconds.
            _ignored: Keywords of file-based Pyomo interfaces (``keepfiles``, ``symbolic_solver_labels``, ...)
                that mean nothing here.
        """
        import pyomo.environ as pyo

        from evgames.solvers.registry import solve

        config = SolverConfig(  # Pyomo's convention: a solve starts from the model's current values
            name=self.route,
            time_limit=timelimit,
            verbose=bool(tee),
            warm_start=True,
            options={**self.options, **(options or {})},
        )
        saved = [(v, v.value) for v in model.component_data_objects(pyo.Var, descend_into=True)]
        result = solve(model, config, raise_on_failure=False)
        results = _results(self.name, model, result)
        if load_solutions:
            _fill_suffixes(model, result)
            return results
        for variable, value in saved:  # the route loaded its point; the caller asked to keep the model as it was
            variable.set_value(value, skip_validation=True)
        if result.values:
            results.solution.insert(_solution(model, result, results))
        return results


def _results(name: str, model: Any, result: SolveResult) -> SolverResults:
    """The legacy results object for ``result`` (problem, solver and termination sections)."""
    import pyomo.environ as pyo

    solver_status, condition, _ = termination_of(result.status)
    results = SolverResults()
    results.problem.name = model.name
    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    sense = objectives[0].sense if objectives else pyo.minimize
    results.problem.sense = sense
    results.problem.number_of_objectives = len(objectives)
    results.problem.number_of_variables = len(result.values)
    results.problem.number_of_constraints = len(result.duals)
    if result.status is Status.OPTIMAL:
        if sense == pyo.minimize:
            results.problem.upper_bound = result.objective
        else:
            results.problem.lower_bound = result.objective
    results.solver.name = f"{name}: {result.route}"
    results.solver.status = solver_status
    results.solver.termination_condition = condition
    results.solver.termination_message = result.message
    results.solver.message = result.message
    results.solver.wallclock_time = result.wall_time
    results.solver.iterations = result.iterations
    return results


def _solution(model: Any, result: SolveResult, results: SolverResults) -> Solution:
    """A Solution keyed through a symbol map, so that ``model.solutions.load_from(results)`` works later."""
    from pyomo.core.expr.symbol_map import SymbolMap

    _, _, solution_status = termination_of(result.status)
    solution = Solution()
    solution.status = solution_status
    symbols = SymbolMap()
    components = _components_by_name(model)
    for name, value in result.values.items():
        entry = {"Value": value}
        if name in result.reduced_costs:
            entry["Rc"] = result.reduced_costs[name]
        solution.variable[symbols.getSymbol(components[name], lambda c: c.name)] = entry
    for name, dual in result.duals.items():
        solution.constraint[symbols.getSymbol(components[name], lambda c: c.name)] = {"Dual": dual}
    results._smap = symbols
    results._smap_id = id(symbols)
    return solution


def _components_by_name(model: Any) -> dict[str, Any]:
    import pyomo.environ as pyo

    return {
        component.name: component
        for kind in (pyo.Var, pyo.Constraint)
        for component in model.component_data_objects(kind, descend_into=True)
    }


def _import_suffix(model: Any, name: str) -> Any:
    """The model's active IMPORT suffix called ``name``, or None."""
    from pyomo.core.base.suffix import Suffix

    suffix = model.component(name)
    if isinstance(suffix, Suffix) and suffix.active and suffix.import_enabled():
        return suffix
    return None


def _fill_suffixes(model: Any, result: SolveResult) -> None:
    """Fill ``dual``, ``rc``, ``ipopt_zL_out`` and ``ipopt_zU_out`` where the model declares them for import."""
    wanted = {name: _import_suffix(model, name) for name in ("dual", "rc", "ipopt_zL_out", "ipopt_zU_out")}
    if not any(suffix is not None for suffix in wanted.values()):
        return
    components = _components_by_name(model)
    minimising = _sense_is_min(model)
    if wanted["dual"] is not None:
        for name, dual in result.duals.items():
            wanted["dual"][components[name]] = dual
    for name, cost in result.reduced_costs.items():
        variable = components[name]
        if wanted["rc"] is not None:
            wanted["rc"][variable] = cost
        # rc = z_L + z_U in the derivative convention; the active side carries it (both sides are ~0 otherwise).
        if wanted["ipopt_zL_out"] is not None:
            wanted["ipopt_zL_out"][variable] = max(cost, 0.0) if minimising else min(cost, 0.0)
        if wanted["ipopt_zU_out"] is not None:
            wanted["ipopt_zU_out"][variable] = min(cost, 0.0) if minimising else max(cost, 0.0)


@functools.cache
def _route_works(route: str, modules: tuple[str, ...]) -> bool:
    """The route's modules are installed and a one-variable problem solves to the right answer."""
    if any(importlib.util.find_spec(module) is None for module in modules):
        return False
    import pyomo.environ as pyo

    from evgames.solvers.registry import solve

    probe = pyo.ConcreteModel()
    probe.x = pyo.Var(bounds=(-2, 2))
    probe.o = pyo.Objective(expr=(probe.x - 1) ** 2)
    try:
        result = solve(probe, route, raise_on_failure=False)
    except Exception:
        return False
    return result.converged and abs(result.values["x"] - 1) < 1e-2


def _sense_is_min(model: Any) -> bool:
    import pyomo.environ as pyo

    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    return not objectives or objectives[0].sense == pyo.minimize


class EvgamesIpopt(_EvgamesSolver):
    """Ipopt through cyipopt with CasADi derivatives (no ASL, no executable): ``SolverFactory("evgames_ipopt")``."""

    route = "ipopt"
    modules = ("cyipopt", "casadi")


class EvgamesPSO(_EvgamesSolver):
    """evgames' seeded particle swarm: ``SolverFactory("evgames_pso")``; never reports ``optimal``."""

    route = "pso"
    modules = ("casadi",)


#: Pyomo name -> class.
PYOMO_NAMES: dict[str, type[_EvgamesSolver]] = {"evgames_ipopt": EvgamesIpopt, "evgames_pso": EvgamesPSO}


def register() -> None:
    """Register the classes with Pyomo's legacy ``SolverFactory`` (idempotent)."""
    for name, cls in PYOMO_NAMES.items():
        if name not in SolverFactory:
            SolverFactory.register(name, doc=cls.__doc__)(cls)


register()
