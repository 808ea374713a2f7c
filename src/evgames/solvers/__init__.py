"""The only code that talks to solvers: a configuration in, a checked :class:`SolveResult` out.

>>> from evgames.solvers import solve, SolverConfig
>>> result = solve(model, SolverConfig(name="ipopt", tolerance=1e-10))  # doctest: +SKIP

The configuration, results and errors import nothing heavy; the solver routes (Pyomo, highspy, CasADi,
cyipopt) are imported on first use of a name that needs them (PEP 562), so that scripts and the command
line start fast. Importing this package also registers ``evgames_ipopt`` and ``evgames_pso`` with Pyomo's
``SolverFactory``, without importing Pyomo (:mod:`evgames.solvers.pyomo_hook`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evgames.lazy import lazy_attributes
from evgames.solvers.config import SolverConfig
from evgames.solvers.errors import (
    ModelTypeError,
    NonOptimalTerminationError,
    SolverError,
    SolverNotAvailableError,
    SolverOptionError,
)
from evgames.solvers.pyomo_hook import install as _register_with_pyomo
from evgames.solvers.result import SolveResult, Status

if TYPE_CHECKING:
    from evgames.solvers.highs_lp import HighsLP
    from evgames.solvers.pso import PSOOutcome, PSOSettings, pso_minimise
    from evgames.solvers.registry import CAPABILITIES, native_options, solve
    from evgames.solvers.structure import ModelStructure, inspect_model

__all__ = [
    "CAPABILITIES",
    "HighsLP",
    "ModelStructure",
    "ModelTypeError",
    "NonOptimalTerminationError",
    "PSOOutcome",
    "PSOSettings",
    "SolveResult",
    "SolverConfig",
    "SolverError",
    "SolverNotAvailableError",
    "SolverOptionError",
    "Status",
    "inspect_model",
    "native_options",
    "pso_minimise",
    "solve",
]

#: Names whose modules import a solver stack, with the module each comes from.
_LAZY = {
    "CAPABILITIES": "evgames.solvers.registry",
    "HighsLP": "evgames.solvers.highs_lp",
    "ModelStructure": "evgames.solvers.structure",
    "PSOOutcome": "evgames.solvers.pso",
    "PSOSettings": "evgames.solvers.pso",
    "inspect_model": "evgames.solvers.structure",
    "native_options": "evgames.solvers.registry",
    "pso_minimise": "evgames.solvers.pso",
    "solve": "evgames.solvers.registry",
}


__getattr__ = lazy_attributes(__name__, _LAZY)

# pyo.SolverFactory("evgames_ipopt") and ("evgames_pso"): registered now if Pyomo is loaded, else as soon as it is
# (see evgames.solvers.pyomo_hook; Pyomo offers no plugin entry point, and importing it here would cost seconds).
_register_with_pyomo()
