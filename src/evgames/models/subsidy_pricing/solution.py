"""Seed 003's game solved as a whole: one call from the family's data to the reported figures.

:func:`solve` runs the operator's level alone at fixed subsidies (any method of
:func:`~evgames.models.subsidy_pricing.response.best_response`), or both levels: the government's exact
optimum (or a grid) against the operator's exact response, or the paper's nested swarms re-scored
exactly. :class:`SubsidyPricingSolution` holds the answer; its :meth:`~SubsidyPricingSolution.to_dict` is
what ``evgames solve subsidy-pricing --json`` prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from evgames.data.subsidy_pricing import OPERATOR_METHODS, UPPER_METHODS, Subsidies, SubsidyPricingData
from evgames.data.validation import DataError
from evgames.models.subsidy_pricing.outcome import NESTED_SWARMS, BilevelResult, Outcome, outcome_at
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem
from evgames.models.subsidy_pricing.response import best_response
from evgames.models.subsidy_pricing.swarm import PSOResult, pso_bilevel
from evgames.models.subsidy_pricing.upper_level import government_optimum
from evgames.solvers import SolverConfig

__all__ = ["FIXED", "SubsidyPricingSolution", "solve"]

#: ``upper_level`` when the subsidies are given: only the operator's level is solved.
FIXED = "fixed subsidies (operator level only)"


@dataclass(frozen=True)
class SubsidyPricingSolution:
    """The subsidies, the operator's prices and every reported figure of one solve.

    Attributes:
        method: The operator's method (``exact``, ``milp``, ``expected`` or ``pso``).
        outcome: Every figure at the subsidies and prices (realised on the trips, also for ``expected``).
        response: The operator's response: its prices, and its own figures (expectations for ``expected``).
        upper_level: How the subsidies were found, in words.
        upper: The government's level where it was solved by ``exact`` or ``grid``.
        swarm: The nested swarms and their exact re-scoring (``pso``).
    """

    method: str
    outcome: Outcome
    response: BestResponse
    upper_level: str
    upper: BilevelResult | None = None
    swarm: PSOResult | None = None

    @property
    def status(self) -> str:
        """``heuristic`` for the swarm and for a grid at the government's level, else ``optimal``.

        The exact sweep, the MILP and the exact regions prove their optimum; a swarm or a grid of subsidy
        rates only samples (the expected variant is Ipopt's optimum of its own smooth model).
        """
        by_grid = self.upper is not None and self.upper.method == "grid"
        return "heuristic" if self.method == "pso" or by_grid else "optimal"

    def to_dict(self) -> dict[str, Any]:
        """The ``solve subsidy-pricing --json`` contract."""
        outcome, response = self.outcome, self.response
        record: dict[str, Any] = {
            "model": "subsidy-pricing",
            "status": self.status,
            "method": self.method,
            "subsidy": outcome.subsidies.to_dict(),
            "price": {"per_km": response.price_per_km, "per_min": response.price_per_min},
            "trips": outcome.trips,
            "fleet": outcome.fleet,
            "operator": outcome.operator,
            "government": outcome.government,
            "environmental": outcome.environmental,
            "social": outcome.social,
            "supremum": response.supremum,
            "upper_level": self.upper_level,
            "sharing_ratio": outcome.sharing_ratio,
            "vehicles_in_use": outcome.vehicles_in_use,
        }
        if self.swarm is not None:
            exact = self.swarm.exact
            record["pso"] = {
                "operator_gap": self.swarm.operator_gap,
                "exact_operator": exact.operator,
                "exact_price": {"per_km": exact.price_per_km, "per_min": exact.price_per_min},
                "inner_status": self.swarm.inner_status,
                "outer_status": self.swarm.outer_status,
            }
        elif self.method == "expected":  # the figures above are realised at these prices; the expectation too
            record["expected"] = {"operator": response.operator, "trips": response.trips}
        if self.upper is not None:
            record.update(
                upper_supremum=self.upper.supremum, in_use_checks=self.upper.in_use_checks, rounds=self.upper.rounds
            )
        return record

    def to_frame(self) -> pd.DataFrame:
        """One row per figure of :meth:`to_dict` (nested keys joined by dots), in a column ``value``."""
        return pd.Series(_flat(self.to_dict()), dtype=object).to_frame("value")


def _flat(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, Mapping):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def solve(
    data: SubsidyPricingData,
    solver: str | SolverConfig | None = None,
    *,
    method: str = "exact",
    upper: str = "exact",
    fixed_subsidy: Subsidies | tuple[float, float] | None = None,
    progress: bool = False,
) -> SubsidyPricingSolution:
    """Solve seed 003's game on ``data`` (see the module docstring).

    Args:
        data: Parameters, trips and the capital recovery reading.
        solver: The MILP's or the NLP's solver (``milp``, ``expected``); the other methods run none.
        method: The operator's method, one of :data:`~evgames.data.subsidy_pricing.OPERATOR_METHODS`;
            ``pso`` runs the swarm at both levels (at the operator's only with ``fixed_subsidy``).
        upper: The government's method against the exact response (``exact`` or ``grid``), without
            ``fixed_subsidy``.
        fixed_subsidy: (Sc1, Sc2), checked against the caps: solve the operator's level only.
        progress: Show progress bars (on stderr) for the government's level.
    """
    if method not in OPERATOR_METHODS:
        raise DataError("method", method, f"unknown method; choose one of {list(OPERATOR_METHODS)}")
    if upper not in UPPER_METHODS:
        raise DataError(
            "upper", upper, f"unknown method of the government's level; choose one of {list(UPPER_METHODS)}"
        )
    problem = OperatorProblem.of(data)
    fixed = None if fixed_subsidy is None else problem.params.subsidies(*fixed_subsidy, field="fixed_subsidy")
    if solver is not None and method not in ("milp", "expected"):
        raise DataError("solver", solver, f"method {method!r} runs no configurable solver")
    if method == "pso":
        found = pso_bilevel(problem, fixed_subsidy=fixed, progress=progress)
        text = FIXED if fixed is not None else NESTED_SWARMS
        return SubsidyPricingSolution(method, found.outcome, found.response, text, swarm=found)
    if fixed is not None:
        response = best_response(problem, fixed, method, solver)
        return SubsidyPricingSolution(method, outcome_at(problem, response, fixed), response, FIXED)
    if method != "exact":
        raise DataError("method", method, "this method solves the operator level: give fixed subsidies (Sc1, Sc2)")
    optimum = government_optimum(problem, upper, progress=progress)
    return SubsidyPricingSolution(method, optimum.outcome, optimum.response, optimum.summary, upper=optimum)
