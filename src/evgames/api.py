"""Puts the pieces together: load data, solve with the configured solver, verify, reproduce.

The CLI is a thin layer over these functions; scripts can call them directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from evgames.data.bargaining import BargainingData
from evgames.data.satisfaction import SatisfactionData
from evgames.data.shipped import load_case
from evgames.data.station_alliance import StationAllianceData
from evgames.data.validation import DataError
from evgames.models import bargaining, satisfaction
from evgames.papers import reproduce, seed000
from evgames.solvers import SolverConfig, SolveResult
from evgames.verification import NumericOptimum, compare

__all__ = ["MODELS", "VerificationReport", "load_data", "load_station_data", "reproduce", "solve", "verify"]

#: Model names accepted by ``solve`` and ``verify``.
MODELS = ("bargaining", "satisfaction")

#: Agreement tolerance by solver class: an interior-point optimum versus a swarm's best particle.
TOLERANCE = {"ipopt": 1e-8, "pso": 1e-3}
DEFAULT_TOLERANCE = 1e-6

#: Settings of the PSO cross-check in ``verify``: enough particles and iterations for ~1e-4 accuracy.
VERIFY_PSO_OPTIONS: Mapping[str, Any] = {"swarm_size": 60, "iterations": 1500, "stall_iterations": 150}


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise DataError("model", model, f"unknown model; choose one of {list(MODELS)}")


def load_data(model: str, path: str | Path | None = None) -> BargainingData | SatisfactionData:
    """Data for ``model`` from a YAML file, or the shipped seed 000 case when ``path`` is None.

    The shipped satisfaction data carry the stage-1 coefficients r of seed 000 §3.2 as ``current``.
    """
    _check_model(model)
    if model == "bargaining":
        return BargainingData.from_yaml(path) if path else seed000.bargaining_data(load_case(seed000.CASE))
    if path:
        return SatisfactionData.from_yaml(path)
    case = load_case(seed000.CASE)
    stage_one = seed000.stage_one(case, seed000.bargaining_data(case))
    return seed000.satisfaction_data(case, stage_one["coefficient"], case["satisfaction"]["adjustment"])


def load_station_data(path: str | Path | None = None) -> StationAllianceData:
    """Station-alliance data from a YAML file, or seed 001's six peak hours (Table 3) when None."""
    return StationAllianceData.from_yaml(path if path else load_case("seed001_stations"))


def solve(
    model: str, data: BargainingData | SatisfactionData, solver: str | SolverConfig | None = None
) -> bargaining.BargainingSolution | satisfaction.SatisfactionSolution:
    """Solve one model with the configured solver (the model's default when none is named)."""
    _check_model(model)
    if model == "bargaining":
        assert isinstance(data, BargainingData)
        return bargaining.solve(data, solver)
    assert isinstance(data, SatisfactionData)
    return satisfaction.solve(data, solver)


@dataclass(frozen=True)
class VerificationReport:
    """Numeric optima of one model by several solvers, compared with each closed form."""

    model: str
    results: Mapping[str, SolveResult]
    points: Mapping[str, pd.Series]
    closed_forms: Mapping[str, pd.Series]
    comparison: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
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


def _model_functions(
    model: str, data: BargainingData | SatisfactionData
) -> tuple[Callable[..., Any], dict[str, pd.Series], Callable[[pd.Series], float], Callable[[pd.Series], float]]:
    if model == "bargaining":
        assert isinstance(data, BargainingData)
        return (
            lambda solver: bargaining.solve(data, solver, raise_on_failure=False),
            {"eq. (9)": bargaining.closed_form(data)},
            lambda point: bargaining.log_nash_product(data, point),
            lambda point: bargaining.violation(data, point),
        )
    assert isinstance(data, SatisfactionData)
    return (
        lambda solver: satisfaction.solve(data, solver, raise_on_failure=False),
        {
            "true optimum (KKT, bounds included)": satisfaction.optimum(data),
            "paper eq. (17)": satisfaction.paper_eq17(data),
        },
        lambda point: satisfaction.log_nash_product(data, point),
        lambda point: satisfaction.violation(data, point),
    )


def verify(
    model: str,
    data: BargainingData | SatisfactionData | None = None,
    solvers: Sequence[str | SolverConfig] = ("ipopt", SolverConfig(name="pso", options=VERIFY_PSO_OPTIONS)),
) -> VerificationReport:
    """Solve ``model`` with each solver and compare every numeric optimum with every closed form."""
    _check_model(model)
    data = load_data(model) if data is None else data
    run, closed_forms, objective, violation = _model_functions(model, data)
    results: dict[str, SolveResult] = {}
    points: dict[str, pd.Series] = {}
    numeric = []
    for solver in solvers:
        solution = run(solver)
        name = solution.result.solver
        point = solution.shares if model == "bargaining" else solution.optimum
        results[name] = solution.result
        points[name] = point
        numeric.append(
            NumericOptimum(
                solver=name,
                status=solution.result.status.value,
                point=point,
                tolerance=TOLERANCE.get(name, DEFAULT_TOLERANCE),
            )
        )
    comparison = compare(numeric, closed_forms, objective, violation, maximise=True)
    return VerificationReport(
        model=model, results=results, points=points, closed_forms=closed_forms, comparison=comparison
    )
