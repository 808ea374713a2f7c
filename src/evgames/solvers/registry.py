"""The one entry point from a Pyomo model and a configuration to a checked :class:`SolveResult`.

This module holds, in one place, the capability table (which solver takes which problem class) and
the translation of the generic settings (``time_limit``, ``tolerance``, ``verbose``) into each
solver's own option names. Names registered here:

========  ===================================================  =====================
name      route                                                problem classes
========  ===================================================  =====================
ipopt     cyipopt + CasADi derivatives (no ASL needed)         LP, QP, NLP
highs     highspy matrix via Pyomo's standard form             LP, MILP, convex QP
pso       evgames' seeded particle swarm (cross-check only)    bounded LP, QP, NLP
other     ``pyo.SolverFactory(name)`` after a test solve        as the solver allows
========  ===================================================  =====================

Pyomo's own Ipopt routes are reachable as ``pyomo:ipopt`` / ``pyomo:cyipopt`` (they are used only
if a test solve works; on a pip-only machine they do not).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from evgames.solvers.config import SolverConfig
from evgames.solvers.errors import (
    ModelTypeError,
    NonOptimalTerminationError,
    SolverNotAvailableError,
    SolverOptionError,
)
from evgames.solvers.highs_lp import solve_highs
from evgames.solvers.options import GENERIC_OPTION_NAMES, native_options
from evgames.solvers.pso import solve_pso
from evgames.solvers.pyomo_route import solve_with_pyomo
from evgames.solvers.result import SolveResult, Status
from evgames.solvers.structure import ModelStructure, inspect_model

__all__ = [
    "CAPABILITIES",
    "GENERIC_OPTION_NAMES",
    "check_capability",
    "check_solver_name",
    "known_solver_names",
    "merged_config",
    "native_options",
    "solve",
]


@dataclass(frozen=True)
class Capability:
    """Which problem classes a solver accepts."""

    nonlinear: bool
    integer: bool
    note: str
    quadratic: bool = False  # takes a quadratic objective with linear constraints even if not ``nonlinear``


CAPABILITIES: dict[str, Capability] = {
    "ipopt": Capability(nonlinear=True, integer=False, note="Ipopt is a continuous NLP solver"),
    "highs": Capability(
        nonlinear=False, integer=True, note="HiGHS solves LP and MILP models, and convex QPs", quadratic=True
    ),
    "pso": Capability(nonlinear=True, integer=False, note="the particle swarm is continuous"),
    "glpk": Capability(nonlinear=False, integer=True, note="GLPK solves LP and MILP models"),
    "cbc": Capability(nonlinear=False, integer=True, note="CBC solves LP and MILP models"),
    "pyomo:ipopt": Capability(nonlinear=True, integer=False, note="Ipopt is a continuous NLP solver"),
    "pyomo:cyipopt": Capability(nonlinear=True, integer=False, note="Ipopt is a continuous NLP solver"),
}


def check_capability(name: str, structure: ModelStructure) -> None:
    """Raise :class:`ModelTypeError` if solver ``name`` cannot take the model's problem class."""
    capability = CAPABILITIES.get(name)
    if capability is None:
        return  # an unlisted Pyomo solver judges the model itself
    if structure.quadratic and not capability.nonlinear and capability.quadratic and _linear_constraints(structure):
        pass  # a QP: quadratic objective, linear constraints
    elif (structure.nonlinear and not capability.nonlinear) or (structure.quadratic and not capability.nonlinear):
        raise ModelTypeError(
            f"{capability.note}; this model is {structure.kind} (nonlinear objective or constraints). "
            "Use solver 'ipopt' (or 'pso' as a cross-check)."
        )
    if structure.integer_variables and not capability.integer:
        raise ModelTypeError(
            f"{capability.note}; this model is {structure.kind} with integer variables "
            f"{list(structure.integer_variables)[:5]}. Use solver 'highs' for MILP."
        )


def _linear_constraints(structure: ModelStructure) -> bool:
    """Every active constraint is linear (a quadratic objective then makes a QP)."""
    return all(
        (c.body.polynomial_degree() if hasattr(c.body, "polynomial_degree") else 0) in (0, 1)
        for c in structure.constraints
    )


def merged_config(solver: str | SolverConfig | None, options: Mapping[str, Any] | None) -> SolverConfig:
    """A :class:`SolverConfig` from a name or config, with ``options`` added to (and winning over) its verbatim ones."""
    if solver is None:
        config = SolverConfig()
    elif isinstance(solver, SolverConfig):
        config = solver
    elif isinstance(solver, str):
        config = SolverConfig(name=solver)
    else:
        raise SolverOptionError(f"solver = {solver!r}: give a name such as 'ipopt' or a SolverConfig")
    if options:  # options given in code win over every table of the file, whichever solver runs
        tables = {key: {**table, **options} for key, table in config.tables.items()}
        config = replace(config, options={**config.options, **options}, tables=tables)
    return config


_Route = Callable[[pyo.ConcreteModel, ModelStructure, str, dict[str, Any], bool], SolveResult]


def _solve_ipopt(structure: ModelStructure, options: dict[str, Any], name: str) -> SolveResult:
    # cyipopt imports scipy.stats (about 0.7 s): only a process that runs Ipopt pays for it, not a MILP worker
    from evgames.solvers.ipopt import solve_ipopt

    return solve_ipopt(structure, options, name)


_ROUTES: dict[str, _Route] = {
    "ipopt": lambda model, structure, name, options, verbose: _solve_ipopt(structure, options, name),
    "highs": lambda model, structure, name, options, verbose: solve_highs(model, structure, options, name),
    "pso": lambda model, structure, name, options, verbose: solve_pso(structure, options, name),
}


#: Per model: each variable's value before the model's first solve here (see ``SolverConfig.warm_start``), by the
#: variable's id (with the variable, so that the id stays its own).
_FIRST_VALUES: weakref.WeakKeyDictionary[Any, dict[int, tuple[Any, Any]]] = weakref.WeakKeyDictionary()


def _set_starting_point(model: pyo.ConcreteModel, structure: ModelStructure, warm_start: bool) -> None:
    """Record each free variable's first value; without ``warm_start``, put recorded values back as the start."""
    try:
        first = _FIRST_VALUES.setdefault(model, {})
    except TypeError:  # a model that cannot be weakly referenced: nothing is recorded, the current values stay
        return
    for variable in structure.variables:
        recorded = first.get(id(variable))
        if recorded is None:
            first[id(variable)] = (variable, variable.value)
        elif not warm_start:
            variable.set_value(recorded[1], skip_validation=True)


def _violated(constraints: Sequence[Any], tolerance: float) -> list[str]:
    """Names of the constraints whose body, evaluated at the current values, breaks a bound."""
    violated = []
    for constraint in constraints:
        body = pyo.value(constraint.body, exception=False)
        lower, upper = constraint.lb, constraint.ub
        if (
            body is None
            or (lower is not None and body < lower - tolerance)
            or (upper is not None and body > upper + tolerance)
        ):
            violated.append(constraint.name)
    return violated


def evaluate_fixed(structure: ModelStructure, name: str, tolerance: float) -> SolveResult:
    """The result for a model without free variables: its objective and whether its constraints hold."""
    start = time.perf_counter()
    violated = _violated(structure.constraints, tolerance)
    value = pyo.value(structure.objective, exception=False) if structure.objective is not None else 0.0
    objective = float("nan") if value is None else float(value)  # free variables without a value: unknown
    message = "the model was evaluated, not solved (every variable fixed, or a constraint of fixed values fails); " + (
        f"constraints violated: {violated[:5]}" if violated else "every constraint holds"
    )
    return SolveResult(
        status=Status.INFEASIBLE if violated else Status.OPTIMAL,
        termination_condition="all variables fixed",
        objective=objective,
        values={},
        solver=name,
        route="evaluation (no free variables)",
        wall_time=time.perf_counter() - start,
        iterations=0,
        message=message,
    )


#: The names evgames registers with Pyomo's SolverFactory, taken straight to their routes here.
_PLUGIN_NAMES = {"evgames_ipopt": "ipopt", "evgames_pso": "pso"}


def known_solver_names() -> list[str]:
    """The solver names evgames routes itself, then every solver Pyomo knows by name (installed or not)."""
    pyomo_names = sorted(str(name) for name in pyo.SolverFactory if not str(name).startswith("_"))
    return [*_ROUTES, *(name for name in pyomo_names if name not in _ROUTES)]


def check_solver_name(name: str, field: str = "solver") -> str:
    """Return ``name`` normalised (stripped, lower case); raise :class:`SolverNotAvailableError` if no route knows it.

    Checked before Pyomo is asked for the solver: Pyomo answers an unknown name with a logged traceback about
    executables instead of an error. ``field`` names the setting in the message (e.g. ``--solver``).
    """
    if not isinstance(name, str) or not name.strip():
        raise SolverOptionError(f"{field} = {name!r}: give a solver name such as 'ipopt'")
    normalised = name.strip().lower()
    normalised = _PLUGIN_NAMES.get(normalised, normalised)
    pyomo_name = normalised.removeprefix("pyomo:")
    if normalised in _ROUTES or pyomo_name in {str(known).lower() for known in pyo.SolverFactory}:
        return normalised
    raise SolverNotAvailableError(
        f"{field} = {name!r}: unknown solver, not available here; use {', '.join(_ROUTES)} or a solver Pyomo knows "
        "(e.g. glpk, cbc, gurobi, appsi_highs; 'pyomo:NAME' for Pyomo's own route)"
    )


def solve(
    model: pyo.ConcreteModel,
    solver: str | SolverConfig | None = None,
    options: Mapping[str, Any] | None = None,
    *,
    default: str = "ipopt",
    raise_on_failure: bool = True,
) -> SolveResult:
    """Solve ``model`` and return a :class:`SolveResult`; variable values are loaded into the model.

    Args:
        model: Any Pyomo model with one active objective, or none (a feasibility problem: any feasible point
            is optimal and the objective is reported as 0). A model whose variables are all fixed is evaluated:
            ``optimal`` if its constraints hold within the tolerance (``config.tolerance``, else 1e-8),
            ``infeasible`` otherwise.
        solver: A registry name, a Pyomo solver name, or a :class:`SolverConfig`; ``None`` uses ``default``.
        options: Solver-specific options added to (and overriding) the config's ``options``.
        default: The solver used when none is named (models pass their own default).
        raise_on_failure: Raise :class:`NonOptimalTerminationError` unless the solver ended by its own
            criterion at a feasible point (``result.converged``: ``optimal``, or ``converged`` for a heuristic,
            which proves nothing: a caller that needs a proof reads ``result.ok``); with ``False`` the caller
            gets every result and must read its ``status``.
    """
    config = merged_config(solver, options)
    name = check_solver_name(config.name or default)
    # Walking, translating and solving allocate many objects; without the pause, Python's cyclic collector would
    # traverse the whole Pyomo model several times during one solve of a large model (the collection is then
    # done once, after it).
    with PauseGC():
        result = _route(model, config, name)
    if raise_on_failure and not result.converged:
        raise NonOptimalTerminationError(result)
    return result


def _route(model: pyo.ConcreteModel, config: SolverConfig, name: str) -> SolveResult:
    """Inspect ``model``, check it against solver ``name``, and solve or evaluate it."""
    structure = inspect_model(model)
    check_capability(name, structure)
    native = native_options(name, config)
    _set_starting_point(model, structure, config.warm_start)
    constant = structure.constant_constraints()
    constant_violated = _violated(constant, config.tolerance or 1e-8)
    if constant and not constant_violated:  # they hold whatever the solver does: the routes need not see them
        dropped = {id(c) for c in constant}
        structure = replace(structure, constraints=tuple(c for c in structure.constraints if id(c) not in dropped))
    if not structure.variables or constant_violated:
        # nothing to optimise (every variable fixed), or a constraint of fixed values only already fails:
        # infeasibility is then proved by evaluation, whatever the solver (which would only crash on it)
        return evaluate_fixed(structure, name, config.tolerance or 1e-8)
    route = _ROUTES.get(name)
    if route is not None:
        return route(model, structure, name, native, config.verbose)
    result = solve_with_pyomo(model, structure, name.removeprefix("pyomo:"), native, config.verbose)
    result.solver = name
    return result
