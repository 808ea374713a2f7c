"""Seed 003's cross-checks: each answer against an independent way to the same answer, as verdicts.

At the operator's level (at given subsidies, or at the government's exact optimum): the response table
against the full sweep of the arrangement, the MILP oracle against the sweep (up to :data:`MILP_TRIPS`
trips), and the swarm below the exact supremum. At the government's level: no grid point beats the
exact optimum, and the figures reported there are those of the operator's best response found by the
full sweep (a hair above the subsidies where the optimum is a supremum).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from evgames.data.subsidy_pricing import Subsidies, SubsidyPricingData
from evgames.data.validation import DataError
from evgames.models.subsidy_pricing.exact_response import exact_best_response
from evgames.models.subsidy_pricing.milp import milp_best_response
from evgames.models.subsidy_pricing.outcome import BilevelResult, outcome_at
from evgames.models.subsidy_pricing.problem import OperatorProblem
from evgames.models.subsidy_pricing.response_table import ResponseTable
from evgames.models.subsidy_pricing.swarm import pso_operator_response
from evgames.models.subsidy_pricing.upper_level import government_optimum
from evgames.solvers import SolverError
from evgames.verification.checks import Check, VerificationTable, agreement, bound, condition, failed

__all__ = ["MILP_TRIPS", "verify"]

MODEL = "subsidy-pricing"
_Answer = TypeVar("_Answer")
#: Most trips given to the MILP oracle (it slows quickly beyond a few hundred).
MILP_TRIPS = 300


def verify(data: SubsidyPricingData, fixed_subsidy: Subsidies | tuple[float, float] | None = None) -> VerificationTable:
    """Run the family's cross-checks (see the module docstring) at ``fixed_subsidy`` or at the optimum."""
    problem = OperatorProblem.of(data)
    table = ResponseTable(problem)
    checks: list[Check] = []
    if fixed_subsidy is None:
        optimum = _attempt(checks, "government: exact regions", lambda: government_optimum(problem, table=table))
        if optimum is None:
            return VerificationTable(tuple(checks))
        checks += _government_checks(problem, table, optimum)
        subsidies = optimum.outcome.subsidies
    else:
        subsidies = problem.params.subsidies(*fixed_subsidy, field="fixed_subsidy")
    checks += _operator_checks(problem, table, subsidies)
    return VerificationTable(tuple(checks))


def _attempt(checks: list[Check], name: str, run: Callable[[], _Answer]) -> _Answer | None:
    """``run()``, or None with a ``failed`` row when it ends without an answer."""
    try:
        return run()
    except (DataError, SolverError) as error:
        checks.append(failed(MODEL, name, str(error)))
        return None


def _operator_checks(problem: OperatorProblem, table: ResponseTable, subsidies: Subsidies) -> list[Check]:
    at = f"at Sc1 = {subsidies.vehicle:.6g}, Sc2 = {subsidies.infrastructure:.6g}"
    checks: list[Check] = []
    sweep = _attempt(checks, f"operator: full sweep {at}", lambda: exact_best_response(problem, subsidies))
    if sweep is None:
        return checks
    respond = _attempt(checks, f"operator: response table {at}", lambda: table.respond(subsidies))
    if respond is not None:
        checks.append(
            agreement(MODEL, f"operator: response table vs full sweep {at}", sweep.operator, respond.operator, 1e-9)
        )
    if len(problem.trips) <= MILP_TRIPS:
        milp = _attempt(checks, f"operator: MILP {at}", lambda: milp_best_response(problem, subsidies))
        if milp is not None:
            checks.append(agreement(MODEL, f"operator: MILP vs full sweep {at}", sweep.operator, milp.operator, 1e-6))
    swarm = pso_operator_response(problem, subsidies)
    checks.append(bound(MODEL, f"operator: swarm below the exact supremum {at}", swarm.operator, sweep.operator, 1e-9))
    return checks


def _government_checks(problem: OperatorProblem, table: ResponseTable, optimum: BilevelResult) -> list[Check]:
    checks: list[Check] = []
    grid = _attempt(checks, "government: grid", lambda: government_optimum(problem, "grid", table=table))
    if grid is not None:
        found, exact = grid.outcome.government, optimum.outcome.government
        checks.append(bound(MODEL, "government: grid below the exact optimum", found, exact, 1e-9))
    outcome = optimum.outcome
    subsidies = outcome.subsidies
    if optimum.supremum:  # the value is approached from subsidies a hair higher
        nudged = subsidies.vehicle + 1e-7 <= problem.params.vehicle_subsidy_max
        subsidies = Subsidies(subsidies.vehicle + 1e-7 * nudged, subsidies.infrastructure + 1e-7 * (not nudged))
    direct = _attempt(checks, "government: full sweep at the optimum", lambda: exact_best_response(problem, subsidies))
    if direct is not None:
        there = outcome_at(problem, direct, subsidies)
        detail = f"{there.trips} trips by the full sweep, {outcome.trips} reported"
        checks.append(
            condition(MODEL, "government: the operator's response at the optimum", there.trips == outcome.trips, detail)
        )
        checks.append(
            agreement(
                MODEL,
                "government: U_G there, the outlay aside",
                outcome.government + outcome.subsidy_outlay,
                there.government + there.subsidy_outlay,
                1e-9,
            )
        )
    return checks
