"""Everything seed 003 reports for one decision — subsidies and prices — evaluated by the paper's formulas.

Users choose by eq. (2)–(6), the fleet follows eq. (17), the benefits §5.1, the government's utility
eq. (9) and the operator's eq. (10) (see :mod:`~evgames.models.subsidy_pricing.economics`).
:class:`BilevelResult` is the government's optimum: the figures at its subsidies and the operator's response.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from evgames.data.subsidy_pricing import NO_SUBSIDIES, Subsidies
from evgames.models.subsidy_pricing.economics import environmental_benefit, in_use_limit, welfare
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem

__all__ = ["NESTED_SWARMS", "BilevelResult", "Outcome", "evaluate", "outcome_at"]

#: How the paper's nested swarms find the subsidies, in words.
NESTED_SWARMS = "nested particle swarms (seed 003)"


@dataclass(frozen=True)
class Outcome:
    """Everything the paper reports for one decision (CNY per year unless stated)."""

    price_per_km: float
    price_per_min: float
    vehicle_subsidy: float
    infrastructure_subsidy: float
    trips: int
    sharing_ratio: float
    fleet: int
    operator: float
    government: float
    environmental: float
    social: float
    parking: float
    subsidy_outlay: float
    vehicles_in_use: int
    feasible: bool

    @property
    def subsidies(self) -> Subsidies:
        """(Sc1, Sc2)."""
        return Subsidies(self.vehicle_subsidy, self.infrastructure_subsidy)

    def to_dict(self) -> dict[str, Any]:
        """Plain record."""
        return asdict(self)


def evaluate(
    problem: OperatorProblem,
    price_per_km: float,
    price_per_min: float,
    subsidies: Subsidies = NO_SUBSIDIES,
    shared: np.ndarray | None = None,
) -> Outcome:
    """Users' choices, fleet and every utility at the given prices and subsidies.

    ``shared`` overrides the users' choices with a given set (used at a supremum, where the set is that
    of the cell the prices are approached from).
    """
    params = problem.params
    if shared is None:
        shared = problem.shares(np.array([price_per_km, price_per_min]))
    count = int(shared.sum())
    km = float(problem.distance[shared].sum())
    environmental = environmental_benefit(params, km)
    figures = welfare(params, subsidies, count, environmental, problem.rounded_crf)
    fleet = figures.fleet
    operator = problem.value(shared, np.array([price_per_km, price_per_min]), subsidies)
    in_use = int(problem.in_use.peaks(shared))
    return Outcome(
        price_per_km=price_per_km,
        price_per_min=price_per_min,
        vehicle_subsidy=subsidies.vehicle,
        infrastructure_subsidy=subsidies.infrastructure,
        trips=count,
        sharing_ratio=count / len(problem.trips),
        fleet=fleet,
        operator=operator,
        government=figures.government,
        environmental=environmental,
        social=figures.social,
        parking=figures.parking,
        subsidy_outlay=figures.outlay,
        vehicles_in_use=in_use,
        feasible=bool(in_use <= in_use_limit(params, fleet) and operator > 0),
    )


def outcome_at(problem: OperatorProblem, response: BestResponse, subsidies: Subsidies) -> Outcome:
    """Every figure at the operator's response, on the trips it counts (at a supremum: the cell's)."""
    return evaluate(problem, response.price_per_km, response.price_per_min, subsidies, shared=response.chosen)


@dataclass(frozen=True)
class BilevelResult:
    """The government's best subsidies, the operator's response and every reported figure.

    Attributes:
        outcome: Every figure at the subsidies and the operator's response.
        response: The operator's response there: exact, or the swarm's (``method="pso"``).
        resolution: Grid spacing of the subsidy rates (0 for the other methods).
        evaluations: Regions valued (exact) or subsidy pairs tried (grid).
        wall_time: Seconds, the response table included.
        method: ``exact`` (regions), ``grid`` or ``pso`` (nested swarms).
        supremum: The government's value is a supremum (subsidies a hair higher attain it).
        note: Why it is a supremum.
        in_use_checks: Price cells checked against eq. (11) (exact method): their vehicles in use counted, or
            bounded from below at a few busy minutes where the bound already breaks the limit asked.
        in_use_counted: Of those, the cells whose vehicles in use were counted exactly.
        sweeps: Extra sweeps of the arrangement that listed cells for eq. (11) (exact method).
        rounds: Looks at a strip's envelope, over all strips and passes (exact method): each walked a cell,
            set a count aside or settled the strip.
        exact: The operator's exact best response at the subsidies, which re-scores a swarm (``pso`` only).
    """

    outcome: Outcome
    response: BestResponse
    resolution: float
    evaluations: int
    wall_time: float
    method: str = "grid"
    supremum: bool = False
    note: str = ""
    in_use_checks: int = 0
    in_use_counted: int = 0
    sweeps: int = 0
    rounds: int = 0
    exact: BestResponse | None = None

    @property
    def summary(self) -> str:
        """How the government's level was solved, in words (the ``upper_level`` of the JSON)."""
        if self.method == "pso":
            return NESTED_SWARMS
        if self.method == "exact":
            text = f"exact over {self.evaluations} subsidy regions"
            if self.sweeps:  # eq. (11) removed some of the table's cells from the operator's choice
                text += f", {self.in_use_checks} price cells checked against eq. (11)"
        else:
            text = f"grid over subsidy rates, resolution {self.resolution:g}"
        return text + (f" ({self.note})" if self.note else "")

    @property
    def operator_gap(self) -> float | None:
        """Exact U_O − the response's U_O (≥ 0) where a swarm was re-scored, else None."""
        return None if self.exact is None else self.exact.operator - self.outcome.operator

    def to_dict(self) -> dict[str, Any]:
        """Plain record."""
        return {
            **self.outcome.to_dict(),
            "supremum": self.response.supremum,
            "upper_method": self.method,
            "upper_supremum": self.supremum,
            "upper_note": self.note,
            "grid_resolution": self.resolution,
            "evaluations": self.evaluations,
            "in_use_checks": self.in_use_checks,
            "sweeps": self.sweeps,
            "rounds": self.rounds,
            "wall_time": self.wall_time,
        }
