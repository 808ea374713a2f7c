"""The one translation of the generic settings (``time_limit``, ``tolerance``, ``verbose``) to solvers' own names.

Every route uses it: :func:`evgames.solvers.solve` and the persistent :class:`evgames.solvers.HighsLP` alike.
It imports nothing heavy, so the matrix route need not import the other solver stacks.
"""

from __future__ import annotations

from typing import Any

from evgames.solvers.config import SolverConfig
from evgames.solvers.errors import SolverOptionError

__all__ = ["GENERIC_OPTION_NAMES", "native_options"]

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
                "set it under [solver.NAME] with the solver's own option name"
            )
        translated[table[generic]] = value
    if config.verbose and name in _VERBOSE_OPTION:
        key, value = _VERBOSE_OPTION[name]
        translated[key] = value
    for key, value in config.options_for(name).items():
        translated[key] = value  # verbatim options win over translated generic ones
    return translated
