"""The operator's best response to given subsidies (seed 003's lower level), by a named method.

* ``exact`` — the sweep of the arrangement of choice lines with a widening candidate search
  (:mod:`~evgames.models.subsidy_pricing.exact_response`): the supremum of U_O (eq. (10)) under
  eq. (11)–(12).
* ``milp`` — the same problem as a MILP for HiGHS (:mod:`~evgames.models.subsidy_pricing.milp`), the
  exact method's oracle (a few hundred trips).
* ``expected`` — the smooth variant with waiting time and value of time integrated out, maximised by
  Ipopt (:mod:`~evgames.models.subsidy_pricing.expected`); its figures are expectations.
* ``pso`` — the paper's particle swarm over the prices (:mod:`~evgames.models.subsidy_pricing.swarm`):
  a heuristic.
"""

from __future__ import annotations

from evgames.data.subsidy_pricing import NO_SUBSIDIES, OPERATOR_METHODS, Subsidies
from evgames.data.validation import DataError
from evgames.models.subsidy_pricing.exact_response import exact_best_response
from evgames.models.subsidy_pricing.expected import expected_best_response
from evgames.models.subsidy_pricing.milp import milp_best_response
from evgames.models.subsidy_pricing.problem import BestResponse, OperatorProblem
from evgames.models.subsidy_pricing.swarm import INNER, pso_operator_response
from evgames.solvers import PSOSettings, SolverConfig

__all__ = ["METHODS", "best_response"]

#: Methods of :func:`best_response`.
METHODS = OPERATOR_METHODS


def best_response(
    problem: OperatorProblem,
    subsidies: Subsidies = NO_SUBSIDIES,
    method: str = "exact",
    solver: str | SolverConfig | PSOSettings | None = None,
) -> BestResponse:
    """The operator's best prices at the subsidies by ``method`` (see the module docstring).

    ``solver`` configures the MILP (HiGHS by default) or the NLP (Ipopt by default), or gives the swarm's
    :class:`~evgames.solvers.PSOSettings`; the exact method takes none.
    """
    if method not in METHODS:
        raise DataError("method", method, f"unknown method of the operator's level; choose one of {list(METHODS)}")
    if method == "pso":
        if solver is not None and not isinstance(solver, PSOSettings):
            raise DataError("solver", solver, "the swarm takes PSOSettings")
        return pso_operator_response(problem, subsidies, solver or INNER)
    if isinstance(solver, PSOSettings):
        raise DataError("solver", solver, f"PSOSettings configure the swarm, not method {method!r}")
    if method == "milp":
        return milp_best_response(problem, subsidies, solver)
    if method == "expected":
        return expected_best_response(problem, subsidies, solver)
    if solver is not None:
        raise DataError("solver", solver, "the exact method runs no solver")
    return exact_best_response(problem, subsidies)
