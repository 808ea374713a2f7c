"""Re-solve one model many times with HiGHS, paying for the translation once.

Sequential LPs (the nucleolus) and families of related MILPs (one per coalition) change a few mutable
parameters, bounds or fixed variables between solves; APPSI's persistent HiGHS interface updates only
those. The set of variables is taken from the first inspection and must not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyomo.environ as pyo

from evgames.solvers.config import SolverConfig
from evgames.solvers.errors import NonOptimalTerminationError, SolverOptionError
from evgames.solvers.highs import highs_solver, solve_highs
from evgames.solvers.registry import check_capability, merged_config, native_options
from evgames.solvers.result import SolveResult
from evgames.solvers.structure import inspect_model

__all__ = ["PersistentSolver"]


class PersistentSolver:
    """A model bound to one persistent HiGHS instance.

    >>> solver = PersistentSolver(model)            # doctest: +SKIP
    >>> first = solver.solve(); model.p = 3; second = solver.solve()  # doctest: +SKIP
    """

    def __init__(
        self,
        model: pyo.ConcreteModel,
        solver: str | SolverConfig | None = "highs",
        options: Mapping[str, Any] | None = None,
    ) -> None:
        config = merged_config(solver, options)
        name = (config.name or "highs").strip().lower()
        if name != "highs":
            raise SolverOptionError(f"persistent re-solves run on HiGHS only, not '{name}'")
        self.model = model
        self.structure = inspect_model(model)
        check_capability(name, self.structure)
        self._options = native_options(name, config)
        self._solver = highs_solver(self._options)
        self.solves = 0

    def solve(self, *, raise_on_failure: bool = True) -> SolveResult:
        """Solve the model as it is now; values are loaded into it when optimal."""
        result = solve_highs(self.model, self.structure, self._options, "highs", self._solver)
        self.solves += 1
        if raise_on_failure and not result.ok:
            raise NonOptimalTerminationError(result)
        return result
