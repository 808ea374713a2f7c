"""Closed forms against numeric optima from several solvers: the report and its verdict rows.

A model family hands over a ``run(solver)`` callable that solves its model with one solver and returns
the solver's result and the optimum as a Series; this module never imports a solver itself. It collects
one optimum per solver and compares each with every closed form (:func:`~evgames.verification.compare`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from evgames.verification.checks import VerificationTable
from evgames.verification.compare import NumericOptimum, compare, comparison_checks

__all__ = ["TOLERANCE", "ClosedFormReport", "closed_form_report"]

#: Agreement tolerance by solver class: an interior-point optimum versus a swarm's best particle.
TOLERANCE = {"ipopt": 1e-8, "pso": 1e-3}
DEFAULT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ClosedFormReport:
    """Numeric optima of one model by several solvers, compared with each closed form.

    Attributes:
        model: The family's name.
        results: Each solver's result (a :class:`~evgames.solvers.SolveResult`), by solver name.
        points: Each solver's optimum, by solver name.
        closed_forms: Each closed form's point, by name.
        comparison: One row per (closed form, solver) from :func:`~evgames.verification.compare`.
    """

    model: str
    results: Mapping[str, Any]
    points: Mapping[str, pd.Series]
    closed_forms: Mapping[str, pd.Series]
    comparison: pd.DataFrame

    def table(self) -> VerificationTable:
        """The comparison as verdict rows (``differs`` where a closed form is not the optimum)."""
        return VerificationTable(tuple(comparison_checks(self.model, self.comparison)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report (the ``reports`` entries of ``evgames verify --json``)."""
        return {
            "model": self.model,
            "solvers": {
                name: {
                    "status": result.status.value,
                    "route": result.route,
                    "objective": result.objective,
                    "wall_time": result.wall_time,
                    "iterations": result.iterations,
                    "values": self.points[name].to_dict(),
                }
                for name, result in self.results.items()
            },
            "closed_forms": {name: values.to_dict() for name, values in self.closed_forms.items()},
            "comparisons": self.comparison.to_dict(orient="records"),
        }


def closed_form_report(
    model: str,
    run: Callable[[Any], tuple[Any, pd.Series]],
    solvers: Sequence[Any],
    closed_forms: Mapping[str, pd.Series],
    objective: Callable[[pd.Series], float],
    violation: Callable[[pd.Series], float],
    *,
    maximise: bool = True,
) -> ClosedFormReport:
    """Run ``run(solver)`` for each solver and compare every optimum with every closed form.

    ``run`` returns ``(result, point)``: the solver's result (its ``solver`` name and ``status`` are read)
    and the optimum as a Series indexed like the closed forms.
    """
    results: dict[str, Any] = {}
    points: dict[str, pd.Series] = {}
    numeric = []
    for solver in solvers:
        result, point = run(solver)
        name = result.solver
        results[name], points[name] = result, point
        tolerance = TOLERANCE.get(name, DEFAULT_TOLERANCE)
        numeric.append(NumericOptimum(solver=name, status=result.status.value, point=point, tolerance=tolerance))
    comparison = compare(numeric, closed_forms, objective, violation, maximise=maximise)
    return ClosedFormReport(model, results, points, dict(closed_forms), comparison)
