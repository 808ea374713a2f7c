"""The only code that talks to solvers: a configuration in, a checked :class:`SolveResult` out.

>>> from evgames.solvers import solve, SolverConfig
>>> result = solve(model, SolverConfig(name="ipopt", tolerance=1e-10))  # doctest: +SKIP
"""

from evgames.solvers.config import SolverConfig
from evgames.solvers.errors import (
    ModelTypeError,
    NonOptimalTerminationError,
    SolverError,
    SolverNotAvailableError,
    SolverOptionError,
)
from evgames.solvers.highs_lp import HighsLP
from evgames.solvers.pso import PSOOutcome, PSOSettings, pso_minimise
from evgames.solvers.registry import CAPABILITIES, native_options, solve
from evgames.solvers.result import SolveResult, Status
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
