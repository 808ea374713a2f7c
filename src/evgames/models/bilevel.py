"""Seed 003's upper level: the government's subsidy rates against the operator's exact best response.

For each subsidy pair the operator's best response comes from one precomputed
:class:`~evgames.models.operator_response.ResponseTable` (exact, ~2 ms at N = 5,000), and the
government's utility U_G = E + P − O (eq. (9)) is evaluated on the trips the operator's prices attract.
Inside a region where the operator's response (trip set and fleet) stays the same, U_G only falls as the
subsidies rise, so the optimum lies on the boundary between response regions. The search here is a grid
over [0, Sc1max] × [0, Sc2max] refined around the best point — exact in the lower level, grid-exact in the
upper level (the resolution is reported); an exact upper-level algorithm over the response regions is
future work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from evgames.data.subsidy_pricing import SubsidyPricingParams
from evgames.models.operator_response import BestResponse, ResponseTable
from evgames.models.subsidy_pricing import Outcome, evaluate

__all__ = ["BilevelResult", "government_optimum", "outcome_at"]


@dataclass(frozen=True)
class BilevelResult:
    """The government's best subsidies found, the operator's response and every reported figure."""

    outcome: Outcome
    response: BestResponse
    resolution: float
    evaluations: int
    wall_time: float

    def to_dict(self) -> dict[str, Any]:
        """Plain record."""
        return {
            **self.outcome.to_dict(),
            "supremum": self.response.supremum,
            "grid_resolution": self.resolution,
            "evaluations": self.evaluations,
            "wall_time": self.wall_time,
        }


def outcome_at(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    response: BestResponse,
    vehicle_subsidy: float,
    infrastructure_subsidy: float,
    rounded_crf: bool = False,
) -> Outcome:
    """Every figure at the operator's response, on the trips it counts (at a supremum: the cell's)."""
    return evaluate(
        params,
        trips,
        response.price_per_km,
        response.price_per_min,
        vehicle_subsidy,
        infrastructure_subsidy,
        rounded_crf,
        shared=response.chosen,
    )


def government_optimum(
    params: SubsidyPricingParams,
    trips: pd.DataFrame,
    rounded_crf: bool = False,
    step: float = 0.01,
    refine: float = 0.001,
    progress: bool = False,
    table: ResponseTable | None = None,
) -> BilevelResult:
    """Maximise U_G over the subsidy box with the operator's exact response (see the module docstring)."""
    start = time.perf_counter()
    table = table or ResponseTable(params, trips, rounded_crf)
    evaluations = 0

    def score(first: float, second: float) -> tuple[float, BestResponse]:
        nonlocal evaluations
        evaluations += 1
        response = table.respond(first, second)
        return outcome_at(params, trips, response, first, second, rounded_crf).government, response

    def search(first_values: np.ndarray, second_values: np.ndarray) -> tuple[float, float, float, BestResponse]:
        best: tuple[float, float, float, BestResponse] | None = None
        grid = [(a, b) for a in first_values for b in second_values]
        for first, second in tqdm(grid, desc="subsidies", disable=not progress):
            value, response = score(float(first), float(second))
            if best is None or value > best[0]:
                best = (value, float(first), float(second), response)
        assert best is not None
        return best

    def axis(low: float, high: float, spacing: float) -> np.ndarray:
        return np.linspace(low, high, round((high - low) / spacing) + 1)

    _, first, second, _ = search(
        axis(0, params.vehicle_subsidy_max, step), axis(0, params.infrastructure_subsidy_max, step)
    )

    def around(centre: float, cap: float) -> np.ndarray:
        return axis(max(0.0, centre - step), min(cap, centre + step), refine)

    _, first, second, response = search(
        around(first, params.vehicle_subsidy_max), around(second, params.infrastructure_subsidy_max)
    )
    outcome = outcome_at(params, trips, response, first, second, rounded_crf)
    return BilevelResult(
        outcome=outcome,
        response=response,
        resolution=refine,
        evaluations=evaluations,
        wall_time=time.perf_counter() - start,
    )
