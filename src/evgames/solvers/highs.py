"""HiGHS basics shared by every HiGHS route: a silent ``highspy.Highs``, option checking and the one status map.

The solving itself is in :mod:`evgames.solvers.highs_lp`: one matrix route serves ``solve(model, "highs")``
(LP, MILP and convex QP) and the persistent :class:`evgames.solvers.HighsLP` of the coalition sweeps and the
nucleolus, so both read the same options (translated by :mod:`evgames.solvers.options`) and the same statuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import highspy
import numpy as np

from evgames.solvers.errors import SolverOptionError
from evgames.solvers.native_output import silenced_native_stdout
from evgames.solvers.result import Status

__all__ = ["STATUS", "VERSION", "check_highs_options", "new_highs", "status_message"]

#: HiGHS's model status -> solver-independent status (the only such map in evgames).
STATUS: dict[highspy.HighsModelStatus, Status] = {
    highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Status.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Status.INFEASIBLE_OR_UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: Status.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: Status.ITERATION_LIMIT,
    highspy.HighsModelStatus.kSolutionLimit: Status.ITERATION_LIMIT,
    highspy.HighsModelStatus.kObjectiveBound: Status.ITERATION_LIMIT,
    highspy.HighsModelStatus.kObjectiveTarget: Status.ITERATION_LIMIT,
    highspy.HighsModelStatus.kInterrupt: Status.ERROR,
    highspy.HighsModelStatus.kModelEmpty: Status.OPTIMAL,
}


def new_highs() -> highspy.Highs:
    """A silent ``highspy.Highs``: its banner (printed on descriptor 1 at construction) is discarded."""
    with silenced_native_stdout():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs


def column_wise_lp(
    matrix: Any,
    costs: np.ndarray,
    column_lower: np.ndarray,
    column_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
) -> highspy.HighsLp:
    """The LP min costs·x over row_lower ≤ matrix·x ≤ row_upper, column_lower ≤ x ≤ column_upper as a ``HighsLp``.

    ``matrix`` is any scipy sparse matrix; HiGHS receives it column-wise (compressed sparse columns).
    """
    columns = matrix.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = columns.shape[1], columns.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = costs, column_lower, column_upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = columns.indptr
    lp.a_matrix_.index_ = columns.indices
    lp.a_matrix_.value_ = columns.data
    return lp


VERSION = f"HiGHS {highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"


def check_highs_options(options: Mapping[str, Any]) -> None:
    """Reject option names or values HiGHS does not accept (highspy would only print a warning)."""
    probe = new_highs()
    for name, value in options.items():
        if probe.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise SolverOptionError(
                f"HiGHS rejected option {name} = {value!r}: unknown name or wrong type "
                "(see https://ergo-code.github.io/HiGHS/stable/options/definitions/)"
            )


def status_message(status: Status, text: str, options: Mapping[str, Any]) -> str:
    """HiGHS's own words, plus the limit that stopped it when a limit did."""
    if status is Status.TIME_LIMIT and "time_limit" in options:
        return f"HiGHS: {text}: stopped by the time limit of {options['time_limit']:g} s before proving optimality"
    if status is Status.ITERATION_LIMIT:
        return f"HiGHS: {text}: stopped by a limit before proving optimality"
    return f"HiGHS: {text}"
