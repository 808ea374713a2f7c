"""Closed form versus numeric optimum: differences, objectives, constraint violations and a verdict.

Plain numbers only: a caller passes what each solver found and what each closed form gives, plus the
objective and the constraint violation as functions of a point. Nothing here calls a solver.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from evgames.verification.checks import Check, CheckVerdict

__all__ = ["NumericOptimum", "Verdict", "compare", "comparison_checks"]


#: Solver statuses whose point is compared: a proof, or a heuristic's feasible end point (a PSO point that
#: beats a closed form shows it is not optimal, whatever PSO proves about itself).
COMPARABLE_STATUSES = ("optimal", "converged")


class Verdict(StrEnum):
    """What a comparison of a closed form with a numeric optimum shows."""

    AGREE = "agree"
    NOT_OPTIMAL = "closed form not optimal"
    INFEASIBLE = "closed form infeasible"
    SOLVER_WORSE = "solver not optimal"  # the closed form is feasible and strictly better
    SAME_OBJECTIVE = "different point, same objective"
    SOLVER_FAILED = "solver failed"


@dataclass(frozen=True)
class NumericOptimum:
    """What one solver returned: its status, its point, and how close it is expected to be.

    Attributes:
        solver: A label, e.g. the route that ran.
        status: The solver's status; anything but ``optimal`` or ``converged`` gives ``solver failed``.
        point: Variable values by player (or variable) name.
        tolerance: Agreement tolerance for this solver class (1e-8 for Ipopt, ~1e-3 for PSO).
    """

    solver: str
    status: str
    point: pd.Series
    tolerance: float


def _verdict(difference: float, gap: float, violation: float, tolerance: float, objective_tolerance: float) -> Verdict:
    if violation > tolerance:
        return Verdict.INFEASIBLE
    if difference <= tolerance:
        return Verdict.AGREE
    if gap < -objective_tolerance:
        return Verdict.NOT_OPTIMAL
    if gap > objective_tolerance:
        return Verdict.SOLVER_WORSE
    return Verdict.SAME_OBJECTIVE


def compare(
    numeric: list[NumericOptimum],
    closed_forms: Mapping[str, pd.Series],
    objective: Callable[[pd.Series], float],
    violation: Callable[[pd.Series], float],
    *,
    maximise: bool = True,
) -> pd.DataFrame:
    """One row per (closed form, solver): how far apart, which is better, and the verdict.

    ``objective_gap`` is the closed form's objective minus the solver's, in the improving direction
    (positive: the closed form is better). A difference beyond the solver's tolerance is called
    ``closed form not optimal`` only if the closed form's objective is also worse by more than that
    tolerance times max(1, |objective|).
    """
    rows = []
    direction = 1.0 if maximise else -1.0
    for reference in numeric:
        reference_objective = objective(reference.point)
        reference_violation = violation(reference.point)
        for name, candidate in closed_forms.items():
            aligned = candidate.reindex(reference.point.index)
            difference = float(np.max(np.abs(aligned.to_numpy() - reference.point.to_numpy())))
            candidate_objective = objective(candidate)
            candidate_violation = violation(candidate)
            gap = direction * (candidate_objective - reference_objective)
            if not np.isfinite(gap):
                gap = -np.inf if not np.isfinite(candidate_objective) else np.inf
            objective_tolerance = reference.tolerance * max(1.0, abs(reference_objective))
            if reference.status not in COMPARABLE_STATUSES:
                verdict = Verdict.SOLVER_FAILED
            else:
                verdict = _verdict(difference, gap, candidate_violation, reference.tolerance, objective_tolerance)
            rows.append(
                {
                    "closed_form": name,
                    "solver": reference.solver,
                    "solver_status": reference.status,
                    "max_abs_difference": difference,
                    "closed_form_objective": candidate_objective,
                    "solver_objective": reference_objective,
                    "objective_gap": gap,
                    "closed_form_violation": candidate_violation,
                    "solver_violation": reference_violation,
                    "tolerance": reference.tolerance,
                    "verdict": verdict.value,
                }
            )
    return pd.DataFrame(rows)


#: How a comparison's verdict reads in the verdict table: the same point or objective agrees; a closed form
#: that is not optimal (or infeasible) differs, which is a finding about that closed form (the paper's
#: eq. (17) of seed 000 is one); a solver that failed or fell short is a failure of the check.
_TABLE_VERDICT = {
    Verdict.AGREE: CheckVerdict.AGREE,
    Verdict.SAME_OBJECTIVE: CheckVerdict.AGREE,
    Verdict.NOT_OPTIMAL: CheckVerdict.DIFFERS,
    Verdict.INFEASIBLE: CheckVerdict.DIFFERS,
    Verdict.SOLVER_WORSE: CheckVerdict.FAILED,
    Verdict.SOLVER_FAILED: CheckVerdict.FAILED,
}


def comparison_checks(model: str, comparison: pd.DataFrame) -> list[Check]:
    """The rows of :func:`compare` as verdict-table checks (closed form against each solver's optimum).

    As in every row of the table, ``expected`` and ``found`` are one quantity, here the objective (the
    solver's and the closed form's), and ``difference`` is found − expected with the objective tolerance
    the verdict used. The verdict itself rests first on the distance between the two points, which the
    detail gives with its tolerance.
    """
    checks = []
    for row in comparison.itertuples(index=False):
        expected, found = float(row.solver_objective), float(row.closed_form_objective)
        checks.append(
            Check(
                model=model,
                check=f"{row.closed_form} vs {row.solver}",
                verdict=_TABLE_VERDICT[Verdict(row.verdict)],
                expected=expected,
                found=found,
                difference=found - expected,
                tolerance=float(row.tolerance) * max(1.0, abs(expected)),
                detail=(
                    f"{row.verdict}; max |point difference| {row.max_abs_difference:.3g} "
                    f"(tolerance {row.tolerance:.3g})"
                ),
            )
        )
    return checks
