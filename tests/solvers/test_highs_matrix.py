"""The array LP of the nucleolus: solves, duals, and what HiGHS proves when it fails."""

import numpy as np
import pytest

from evgames.solvers import NonOptimalTerminationError
from evgames.solvers.highs_matrix import MatrixLP


def test_the_array_lp_reports_what_highs_proves():
    # min x + y s.t. x + 2y ≥ 2, x, y ≥ 0: y = 1, dual 1/2; then x + y ≤ 1/2 as well makes it infeasible.
    lp = MatrixLP(np.ones(2), np.zeros(2), np.full(2, np.inf))
    (row,) = lp.add_rows([2.0], [np.inf], [0], [0, 1], [1.0, 2.0])
    assert lp.solve() == pytest.approx(1.0)
    assert lp.x == pytest.approx([0.0, 1.0]) and lp.row_duals[row] == pytest.approx(0.5)
    lp.add_rows([-np.inf], [0.5], [0], [0, 1], [1.0, 1.0])
    with pytest.raises(NonOptimalTerminationError, match="infeasible"):
        lp.solve()
