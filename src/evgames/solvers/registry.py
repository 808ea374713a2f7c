"""The one entry point from a Pyomo model and a configuration to a checked :class:`SolveResult`.

This module holds, in one place, the capability table (which solver takes which problem class) and
the translation of the generic settings (``time_limit``, ``tolerance``, ``verbose``) into each
solver's own option names. Names registered here:

========  ===================================================  =====================
name      route                                                problem classes
========  ===================================================  =====================
ipopt     cyipopt + CasADi derivatives (no ASL needed)         LP, QP, NLP
highs     Pyomo appsi_highs                                    LP, MILP
pso       evgames' seeded particle swarm (cross-check only)    bounded LP, QP, NLP
other     ``pyo.SolverFactory(name)`` after a test solve        as the solver allows
========  ===================================================  =====================

Pyomo's own Ipopt routes are reachable as ``pyomo:ipopt`` / ``pyomo:cyipopt`` (they are used only
if a test solve works; on a pip-only machine they do not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo

from evgames.solvers.config import SolverConfig
from evgames.solvers.errors import (
    ModelTypeError,
    NonOptimalTerminationError,
    SolverNotAvailableError,
    SolverOptionError,
)
from evgames.solvers.highs import solve_highs
from evgames.solvers.ipopt import solve_ipopt
from evgames.solvers.pso import solve_pso
from evgames.solvers.pyomo_route import solve_with_pyomo
from evgames.solvers.result import SolveResult
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


CAPABILITIES: dict[str, Capability] = {
    "ipopt": Capability(nonlinear=True, integer=False, note="Ipopt is a continuous NLP solver"),
    "highs": Capability(nonlinear=False, integer=True, note="HiGHS solves LP and MILP models"),
    "pso": Capability(nonlinear=True, integer=False, note="the particle swarm is continuous"),
    "glpk": Capability(nonlinear=False, integer=True, note="GLPK solves LP and MILP models"),
    "cbc": Capability(nonlinear=False, integer=True, note="CBC solves LP and MILP models"),
    "pyomo:ipopt": Capability(nonlinear=True, integer=False, note="Ipopt is a continuous NLP solver"),
    "pyomo:cyipopt": Capability(nonlinear=True, integer=False, note="Ipopt is a continuous NLP solver"),
}

#: Generic setting -> the solver's own option name. ``verbose`` is handled per route.
GENERIC_OPTION_NAMES: dict[str, dict[str, str]] = {
    "ipopt": {"time_limit": "max_wall_time", "tolerance": "tol"},
    "highs": {"time_limit": "time_limit", "tolerance": "mip_rel_gap"},
    "pso": {"time_limit": "time_limit", "tolerance": "tolerance"},
    "glpk": {"time_limit": "tmlim", "tolerance": "mipgap"},
    "cbc": {"time_limit": "sec", "tolerance": "ratioGap"},
    "gurobi": {"time_limit": "TimeLimit", "tolerance": "MIPGap"},
    "cplex": {"time_limit": "timelimit", "tolerance": "mipgap"},
    "scip": {"time_limit": "limits/time", "tolerance": "limits/gap"},
    "ipopt_v2": {"time_limit": "max_wall_time", "tolerance": "tol"},
    "pyomo:ipopt": {"time_limit": "max_wall_time", "tolerance": "tol"},
    "pyomo:cyipopt": {"time_limit": "max_wall_time", "tolerance": "tol"},
}

_VERBOSE_OPTION: dict[str, tuple[str, Any]] = {
    "ipopt": ("print_level", 5),
    "highs": ("output_flag", True),
}


def native_options(name: str, config: SolverConfig) -> dict[str, Any]:
    """Translate the generic settings of ``config`` to ``name``'s options and add the verbatim ones."""
    translated: dict[str, Any] = {}
    table = GENERIC_OPTION_NAMES.get(name, {})
    for generic in ("time_limit", "tolerance"):
        value = getattr(config, generic)
        if value is None:
            continue
        if generic not in table:
            raise SolverOptionError(
                f"solver.{generic} has no known translation for solver '{name}'; "
                "set it under [solver.options] with the solver's own option name"
            )
        translated[table[generic]] = value
    if config.verbose and name in _VERBOSE_OPTION:
        key, value = _VERBOSE_OPTION[name]
        translated[key] = value
    for key, value in config.options.items():
        translated[key] = value  # verbatim options win over translated generic ones
    return translated


def check_capability(name: str, structure: ModelStructure) -> None:
    """Raise :class:`ModelTypeError` if solver ``name`` cannot take the model's problem class."""
    capability = CAPABILITIES.get(name)
    if capability is None:
        return  # an unlisted Pyomo solver judges the model itself
    if (structure.nonlinear and not capability.nonlinear) or (structure.quadratic and not capability.nonlinear):
        raise ModelTypeError(
            f"{capability.note}; this model is {structure.kind} (nonlinear objective or constraints). "
            "Use solver 'ipopt' (or 'pso' as a cross-check)."
        )
    if structure.integer_variables and not capability.integer:
        raise ModelTypeError(
            f"{capability.note}; this model is {structure.kind} with integer variables "
            f"{list(structure.integer_variables)[:5]}. Use solver 'highs' for MILP."
        )


def merged_config(solver: str | SolverConfig | None, options: Mapping[str, Any] | None) -> SolverConfig:
    """A :class:`SolverConfig` from a name or config, with ``options`` added to its verbatim options."""
    if solver is None:
        config = SolverConfig()
    elif isinstance(solver, SolverConfig):
        config = solver
    elif isinstance(solver, str):
        config = SolverConfig(name=solver)
    else:
        raise SolverOptionError(f"solver = {solver!r}: give a name such as 'ipopt' or a SolverConfig")
    if options:
        config = SolverConfig(
            name=config.name,
            time_limit=config.time_limit,
            tolerance=config.tolerance,
            verbose=config.verbose,
            options={**config.options, **options},
        )
    return config


_Route = Callable[[pyo.ConcreteModel, ModelStructure, str, dict[str, Any], bool], SolveResult]

_ROUTES: dict[str, _Route] = {
    "ipopt": lambda model, structure, name, options, verbose: solve_ipopt(structure, options, name),
    "highs": lambda model, structure, name, options, verbose: solve_highs(model, structure, options, name),
    "pso": lambda model, structure, name, options, verbose: solve_pso(structure, options, name),
}


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
        model: Any Pyomo model with one active objective.
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
    structure = inspect_model(model)
    check_capability(name, structure)
    native = native_options(name, config)
    route = _ROUTES.get(name)
    if route is not None:
        result = route(model, structure, name, native, config.verbose)
    else:
        pyomo_name = name.removeprefix("pyomo:")
        result = solve_with_pyomo(model, structure, pyomo_name, native, config.verbose)
        result.solver = name
    if raise_on_failure and not result.converged:
        raise NonOptimalTerminationError(result)
    return result
