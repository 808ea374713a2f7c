import json

import numpy as np
import pandas as pd
import pytest

from evgames.api import load_station_data
from evgames.data.synthetic import synthetic_city
from evgames.games import TUGame
from evgames.models import station_alliance as sa
from evgames.solvers import SolverError
from evgames.verification import CheckVerdict, VerificationTable


def verdicts(table):
    return {check.check: check.verdict for check in table.checks}


def test_shipped_case_passes_every_check():
    table = sa.verify(load_station_data())
    assert table.passed, table.to_frame()
    # 3 coalitions x (fresh MILP, LP bound) + 3 allocations x (efficiency, IR, core)
    assert table.counts() == {"agree": 6, "differs": 0, "holds": 9, "violated": 0, "failed": 0}
    assert {check.model for check in table.checks} == {"station-alliance"}
    json.dumps(table.to_dict(), allow_nan=False)


def test_synthetic_city_passes_except_the_shapley_value_outside_the_core():
    data = synthetic_city(4, 24, seed=3)
    table = sa.verify(data)
    # The game is not convex and the Shapley value leaves S1,S3,S4 short of v(S) (the solution says so too);
    # the nucleolus, which must lie in a non-empty core, does.
    assert [check.check for check in table.failures] == ["shapley: in the core"]
    assert "game not convex" in table.failures[0].detail and "(S1,S3,S4)" in table.failures[0].detail
    assert not sa.solve(data).shapley_in_core
    found = verdicts(table)
    assert found["nucleolus: in the core"] is CheckVerdict.HOLDS
    assert found["coalition S1,S2,S3,S4: v(S) (persistent re-solve) vs fresh MILP"] is CheckVerdict.AGREE
    assert sum(check.check.startswith("coalition") for check in table.checks) == 2 * 12  # sample of 12 of 15


def test_sample_is_seeded_and_always_holds_the_grand_coalition():
    assert sa.verification_sample(2, 12) == [1, 2, 3]
    assert sa.verification_sample(4, 15) == list(range(1, 16))
    masks = sa.verification_sample(6, 5, seed=1)
    assert masks == sa.verification_sample(6, 5, seed=1) != sa.verification_sample(6, 5, seed=2)
    assert 63 in masks and 5 <= len(masks) <= 6 and all(1 <= m <= 63 for m in masks)


def test_a_wrong_allocation_is_reported():
    game = sa.solve(load_station_data()).game  # v(S1) = 8400, v(S2) = 4280, v(S1,S2) = 14875
    wrong = {
        "all to S1": pd.Series({"S1": 14_875.0, "S2": 0.0}),
        "too much": pd.Series({"S1": 9_500.0, "S2": 5_400.0}),
    }
    found = verdicts(VerificationTable(tuple(sa.allocation_checks(game, wrong))))
    assert found["all to S1: efficient, Σ x_i = v(N)"] is CheckVerdict.AGREE
    assert found["all to S1: individually rational, x_i >= v({i})"] is CheckVerdict.VIOLATED
    assert found["all to S1: in the core"] is CheckVerdict.VIOLATED
    assert found["too much: efficient, Σ x_i = v(N)"] is CheckVerdict.DIFFERS  # 14,900 against 14,875
    assert found["too much: individually rational, x_i >= v({i})"] is CheckVerdict.HOLDS
    assert found["too much: in the core"] is CheckVerdict.VIOLATED  # x(N) ≠ v(N)


def test_an_empty_core_is_said_so():
    # three-player majority game: any two players earn 1; the core is empty
    majority = TUGame(["A", "B", "C"], np.array([0, 0, 0, 1, 0, 1, 1, 1], dtype=float))
    checks = sa.allocation_checks(majority, {"equal": pd.Series(1 / 3, index=["A", "B", "C"])})
    core = checks[-1]
    assert core.verdict is CheckVerdict.VIOLATED and "core empty" in core.detail
    assert [check.verdict for check in checks[:2]] == [CheckVerdict.AGREE, CheckVerdict.HOLDS]


def test_a_wrong_coalition_value_differs_from_the_fresh_milp_and_breaks_its_lp_bound(monkeypatch):
    # e.g. a stale incumbent carried between re-solves: the grand coalition's value comes out 50 too high
    honest = sa.coalition_values

    def stale(data, *args, **kwargs):
        values = honest(data, *args, **kwargs)
        values[max(values)] += 50.0
        return values

    monkeypatch.setattr(sa, "coalition_values", stale)
    table = sa.verify(load_station_data())
    found = verdicts(table)
    assert found["coalition S1,S2: v(S) (persistent re-solve) vs fresh MILP"] is CheckVerdict.DIFFERS
    assert found["coalition S1,S2: v(S) <= LP relaxation"] is CheckVerdict.VIOLATED  # LP = MILP here
    assert found["coalition S1: v(S) (standalone closed form) vs fresh MILP"] is CheckVerdict.AGREE
    grand = next(check for check in table.checks if check.check.startswith("coalition S1,S2: v(S) ("))
    assert grand.difference == pytest.approx(50.0)


def test_a_solve_that_fails_gives_one_failed_row(monkeypatch):
    def broken(*args, **kwargs):
        raise SolverError("coalition S1,S2 ended 'time_limit'")

    monkeypatch.setattr(sa, "solve", broken)
    table = sa.verify(load_station_data())
    assert [check.verdict for check in table.checks] == [CheckVerdict.FAILED]
    assert "time_limit" in table.checks[0].detail
