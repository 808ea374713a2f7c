import json
import math

import pytest

from evgames.verification import CheckVerdict, VerificationTable, agreement, bound, condition, failed


def test_relative_tolerance_scales_with_the_expected_value():
    # 1e-7 relative at 20,000 allows 2e-3: 20,000.0015 agrees, 20,000.003 does not.
    near = agreement("m", "c", 20_000.0, 20_000.0015, 1e-7)
    assert near.verdict is CheckVerdict.AGREE
    assert near.tolerance == pytest.approx(2e-3) and near.difference == pytest.approx(1.5e-3)
    assert agreement("m", "c", 20_000.0, 20_000.003, 1e-7).verdict is CheckVerdict.DIFFERS
    assert agreement("m", "c", 20_000.0, 19_999.997, 1e-7).verdict is CheckVerdict.DIFFERS  # either side


def test_relative_tolerance_is_absolute_near_zero():
    # max(1, |expected|): at expected 1e-3 the slack is 1e-7 itself, not 1e-10.
    assert agreement("m", "c", 1e-3, 1e-3 + 5e-8, 1e-7).verdict is CheckVerdict.AGREE
    assert agreement("m", "c", 1e-3, 1e-3 + 5e-7, 1e-7).verdict is CheckVerdict.DIFFERS


def test_absolute_tolerance():
    assert agreement("m", "c", 20_000.0, 20_000.0015, 1e-7, relative=False).verdict is CheckVerdict.DIFFERS
    assert agreement("m", "c", 2.0, 2.05, 0.1, relative=False).verdict is CheckVerdict.AGREE


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_values_fail_rather_than_differ(value):
    for expected, found in ((value, 1.0), (1.0, value)):
        check = agreement("m", "c", expected, found, 1e-7, detail="ipopt")
        assert check.verdict is CheckVerdict.FAILED and "non-finite" in check.detail and "ipopt" in check.detail
        assert bound("m", "c", expected, found, 1e-7).verdict is CheckVerdict.FAILED


def test_bound():
    # a MILP optimum of 14,875 under an LP relaxation of 14,875.5 holds; 14,876 above 14,875.5 is violated
    held = bound("m", "milp <= lp", 14_875.0, 14_875.5, 1e-7)
    assert held.verdict is CheckVerdict.HOLDS and held.difference == pytest.approx(-0.5)
    assert held.expected == 14_875.5 and held.found == 14_875.0
    assert bound("m", "c", 14_876.0, 14_875.5, 1e-7).verdict is CheckVerdict.VIOLATED
    # equal up to the slack 1e-7 x 14,875.5 ≈ 1.5e-3
    assert bound("m", "c", 14_875.5 + 1e-3, 14_875.5, 1e-7).verdict is CheckVerdict.HOLDS
    assert bound("m", "c", 14_875.5 + 1e-3, 14_875.5, 1e-7, relative=False).verdict is CheckVerdict.VIOLATED


def test_condition_and_failed():
    assert condition("m", "c", True).verdict is CheckVerdict.HOLDS
    assert condition("m", "c", False, "S2 short by 3").verdict is CheckVerdict.VIOLATED
    broken = failed("m", "c", "time_limit")
    assert broken.verdict is CheckVerdict.FAILED and not broken.passed and broken.expected is None


def test_table_passes_only_without_differences_violations_or_failures():
    good = VerificationTable((agreement("a", "x", 1.0, 1.0, 1e-9), condition("a", "y", True)))
    assert good.passed and good.failures == ()
    for bad in (agreement("b", "x", 1.0, 2.0, 1e-9), condition("b", "y", False), failed("b", "z", "error")):
        table = VerificationTable.combine([good, VerificationTable((bad,))])
        assert not table.passed and table.failures == (bad,)
    assert VerificationTable(()).passed


def test_combine_keeps_order_and_counts_every_verdict():
    first = VerificationTable((agreement("a", "x", 1.0, 1.0, 1e-9), condition("a", "y", False)))
    second = VerificationTable((failed("b", "z", "error"),))
    table = VerificationTable.combine([first, second])
    assert [check.check for check in table.checks] == ["x", "y", "z"]
    assert table.counts() == {"agree": 1, "differs": 0, "holds": 0, "violated": 1, "failed": 1}
    frame = table.to_frame()
    assert list(frame["verdict"]) == ["agree", "violated", "failed"] and list(frame["model"]) == ["a", "a", "b"]


def test_to_dict_is_json():
    table = VerificationTable(
        (agreement("a", "x", 2.0, 2.5, 1e-9, detail="d"), agreement("a", "nan", math.nan, 1.0, 1e-9))
    )
    record = json.loads(json.dumps(table.to_dict(), allow_nan=False))
    assert record["passed"] is False and record["counts"]["differs"] == 1 and record["counts"]["failed"] == 1
    assert record["checks"][0] == {
        "model": "a",
        "check": "x",
        "verdict": "differs",
        "expected": 2.0,
        "found": 2.5,
        "difference": 0.5,
        "tolerance": 2e-9,  # 1e-9 relative to 2.0
        "detail": "d",
    }
    assert record["checks"][1]["expected"] is None  # the NaN it was given is not JSON
