"""The typed result every route of :func:`evgames.solvers.solve` returns."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

__all__ = ["SolveResult", "Status"]


class Status(StrEnum):
    """Solver-independent outcome of a solve."""

    OPTIMAL = "optimal"  # proved, to the solver's tolerance
    CONVERGED = "converged"  # a heuristic (PSO) stopped improving at a feasible point: nothing is proved
    NO_FEASIBLE_POINT = "no_feasible_point"  # a heuristic ended without a feasible point: infeasibility unproved
    ACCEPTABLE = "acceptable"  # converged to a looser tolerance only (Ipopt's Solved_To_Acceptable_Level)
    INFEASIBLE = "infeasible"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"  # the solver proved one of the two, not which
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    ERROR = "error"
    UNKNOWN = "unknown"


@dataclass
class SolveResult:
    """Outcome of one solve.

    Attributes:
        status: Solver-independent status. ``optimal`` is a proof (``ok``); ``converged`` is a heuristic's
            feasible end point (``converged`` but not ``ok``); limits say which limit stopped the solver.
        termination_condition: The solver's own word for why it stopped.
        objective: Objective value in the model's own sense (maximisation stays maximisation).
        values: Variable values by Pyomo name, e.g. ``{"share[A]": 0.34}``.
        solver: The solver name that was asked for.
        route: What actually ran, e.g. ``"cyipopt+casadi (Ipopt 3.14.x, MUMPS)"``.
        wall_time: Seconds spent in the solve call, model translation included.
        iterations: Iterations where the solver reports them.
        message: The solver's message.
        duals: Constraint multipliers by constraint name where the route provides them, in the sign convention
            of Pyomo's HiGHS and Ipopt interfaces: a constraint's dual is the derivative of the optimal
            objective (in the model's own sense) with respect to the bound of the constraint's body as Pyomo
            stores it (``Constraint.to_bounded_expression``; ``x**2 <= y**2 + z**2`` is stored as
            ``x**2 - (y**2 + z**2) <= 0``). So a binding ``<=`` row of a minimisation has a dual <= 0 and a
            binding ``>=`` row of a minimisation a dual >= 0; maximisation flips both.
        reduced_costs: Variable bound multipliers by variable name, in the same convention: the derivative of
            the optimal objective with respect to the active bound of the variable (0 for an interior variable).
    """

    status: Status
    termination_condition: str
    objective: float
    values: dict[str, float]
    solver: str
    route: str
    wall_time: float
    iterations: int | None = None
    message: str = ""
    duals: dict[str, float] = field(default_factory=dict)
    reduced_costs: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the solver proved optimality (a heuristic never does)."""
        return self.status is Status.OPTIMAL

    @property
    def converged(self) -> bool:
        """True when the solver ended by its own criterion at a feasible point: ``ok``, or a converged heuristic."""
        return self.status in (Status.OPTIMAL, Status.CONVERGED)

    def to_frame(self) -> pd.DataFrame:
        """Variable values as a DataFrame with one row per variable."""
        return pd.DataFrame({"variable": list(self.values), "value": list(self.values.values())})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (NaN objective becomes None)."""
        record = asdict(self)
        record["status"] = self.status.value
        if not math.isfinite(self.objective):
            record["objective"] = None
        return record
