"""The only code that talks to solvers: a configuration in, a checked :class:`SolveResult` out.

>>> from evgames.solvers import solve, SolverConfig
>>> result = solve(model, SolverConfig(name="ipopt", tolerance=1e-10))  # doctest: +SKIP

The configuration, results and errors import nothing heavy; the solver routes (Pyomo, highspy, CasADi,
cyipopt) are imported on first use of a name that needs them (PEP 562), so that scripts and the command
line start fast.
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
