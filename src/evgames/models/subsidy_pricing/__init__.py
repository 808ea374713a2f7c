"""Seed 003: the government's subsidies, the car-sharing operator's prices and the users' choices.

A Stackelberg game in three levels: the government sets subsidy rates (Sc1, Sc2) maximising U_G (eq. (9)),
the operator sets prices (p_s, p_t) maximising U_O (eq. (10)) under the fleet-in-use limit (eq. (11)) and
U_O > 0 (eq. (12)), and each trip chooses a shared EV or the private car (eq. (2)–(6)).

The family's shape: :class:`~evgames.data.subsidy_pricing.SubsidyPricingData` (``from_dict``,
``from_file``, ``to_dict``), :func:`solve` returning a :class:`SubsidyPricingSolution` (``to_dict``,
``to_frame``) and :func:`verify` returning verdicts. The two levels have one entry point each, the
method a named option: :func:`best_response` (``exact``, ``milp``, ``expected``, ``pso``) and
:func:`government_optimum` (``exact``, ``grid``, ``pso``).

Modules, one concept each:

* ``economics`` — the paper's formulas; ``problem`` — the operator's problem (:class:`OperatorProblem`)
  and :class:`BestResponse`; ``outcome`` — every reported figure (:func:`evaluate`); ``in_use`` —
  vehicles in use (eq. (11));
* ``arrangement`` — the choice lines in the price plane and their vertex cells; ``exact_response`` — the
  widening candidate search; ``shortlist`` — the best cells of each trip count; ``response_table`` — the
  response to any subsidies; ``fleet_limit`` — the best cells within a fleet-in-use limit, listed as numpy
  columns (``cell_columns``) and bounded at a few busy minutes (``in_use_bound``);
* ``milp`` — the MILP oracle; ``expected`` — the smooth variant (Ipopt); ``swarm`` — the paper's PSO;
  ``response`` — the operator's entry point;
* ``subsidy_plane``, ``envelope``, ``regions`` — the exact upper level; ``upper_level`` — the government's
  entry point; ``solution`` — :func:`solve`; ``checks`` — :func:`verify`; ``studies`` — Tables 2–4 and
  Figures 5–8.
"""

from evgames.data.subsidy_pricing import (
    NO_SUBSIDIES,
    OPERATOR_METHODS,
    UPPER_METHODS,
    Subsidies,
    SubsidyPricingData,
    SubsidyPricingParams,
)
from evgames.models.subsidy_pricing.arrangement import Cell
from evgames.models.subsidy_pricing.checks import verify
from evgames.models.subsidy_pricing.economics import (
    capital_recovery,
    choice_thresholds,
    cost_per_vehicle,
    fleet_size,
    subsidy_per_vehicle,
    welfare,
)
from evgames.models.subsidy_pricing.exact_response import exact_best_response
from evgames.models.subsidy_pricing.expected import expected_best_response
from evgames.models.subsidy_pricing.fleet_limit import FleetLimitedCells
from evgames.models.subsidy_pricing.in_use import InUse, vehicles_in_use
from evgames.models.subsidy_pricing.milp import build_operator_milp, milp_best_response
from evgames.models.subsidy_pricing.outcome import BilevelResult, Outcome, evaluate, outcome_at
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem
from evgames.models.subsidy_pricing.regions import RegionSearch
from evgames.models.subsidy_pricing.response import best_response
from evgames.models.subsidy_pricing.response_table import ResponseTable
from evgames.models.subsidy_pricing.solution import SubsidyPricingSolution, solve
from evgames.models.subsidy_pricing.swarm import PSOResult, pso_bilevel, pso_operator_response
from evgames.models.subsidy_pricing.upper_level import government_optimum

__all__ = [
    "NO_SUBSIDIES",
    "OPERATOR_METHODS",
    "UPPER_METHODS",
    "BestResponse",
    "BilevelResult",
    "Cell",
    "FleetLimitedCells",
    "InUse",
    "OperatorProblem",
    "Outcome",
    "PSOResult",
    "RegionSearch",
    "ResponseTable",
    "Subsidies",
    "SubsidyPricingData",
    "SubsidyPricingParams",
    "SubsidyPricingSolution",
    "best_response",
    "build_operator_milp",
    "capital_recovery",
    "choice_thresholds",
    "cost_per_vehicle",
    "evaluate",
    "exact_best_response",
    "expected_best_response",
    "fleet_size",
    "government_optimum",
    "milp_best_response",
    "outcome_at",
    "pso_bilevel",
    "pso_operator_response",
    "solve",
    "subsidy_per_vehicle",
    "vehicles_in_use",
    "verify",
    "welfare",
]
