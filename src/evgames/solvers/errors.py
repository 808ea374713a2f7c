"""Named exceptions of the solver layer: every failure says what ran and what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evgames.solvers.result import SolveResult

__all__ = [
    "ModelTypeError",
    "NonOptimalTerminationError",
    "SolverError",
    "SolverNotAvailableError",
    "SolverOptionError",
]


class SolverError(RuntimeError):
    """Base class of every solver-layer error."""


class SolverNotAvailableError(SolverError):
    """The requested solver is not installed or fails a test solve; the message says what to install."""


class SolverOptionError(SolverError, ValueError):
    """An option is unknown to the solver or has a bad value; the message names the option."""


class ModelTypeError(SolverError, TypeError):
    """The model has a feature the solver cannot handle (e.g. a nonlinear objective for HiGHS)."""


class NonOptimalTerminationError(SolverError):
    """The solver stopped without proving optimality; ``result`` holds what it returned."""

    def __init__(self, result: SolveResult) -> None:
        self.result = result
        super().__init__(
            f"{result.solver} ({result.route}) stopped with status '{result.status}'"
            f" [{result.termination_condition}]: {result.message}"
        )
