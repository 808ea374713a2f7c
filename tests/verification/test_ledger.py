import pytest

from evgames.data import DataError
from evgames.verification import Published, Reading, reconcile
from evgames.verification.ledger import REPRODUCTIONS, STATUSES, Scope, summary


def test_printed_precision():
    percent = Published("x", "T", "k", "q", "19.56%")
    assert percent.value == pytest.approx(0.1956) and percent.half_unit == pytest.approx(5e-5)
    assert percent.matches(0.195556) and not percent.matches(0.19551)
    scaled = Published("x", "T", "k", "q", "3.408", scale=100)
    assert scaled.value == pytest.approx(340.8) and scaled.matches(340.833) and not scaled.matches(340.86)
    assert Published("x", "T", "k", "q", "346").matches(346.03)
    with pytest.raises(DataError):
        Published("x", "T", "k", "q", "about 3")


def test_values_shown_in_the_printed_unit_with_one_more_digit():
    assert Published("x", "T", "k", "q", "19.56%").as_printed(0.195556) == "19.556%"
    assert Published("x", "T", "k", "q", "3.408", scale=100).as_printed(340.833) == "3.4083"
    assert Published("x", "T", "k", "q", "13095").as_printed(14875.0) == "14,875.0"
    claim = Published("x", "T", "k", "q", "false")
    assert claim.value == 0.0 and claim.as_printed(1.0) == "true" and not claim.matches(1.0)


def test_unknown_role_or_status_is_an_error():
    with pytest.raises(DataError, match="role"):
        Published("x", "T", "k", "q", "1", role="guess")
    with pytest.raises(DataError, match="expect"):
        Published("x", "T", "k", "q", "1", expect="match")


def _compute(settings):
    a, b = settings.get("a", 1.0), settings.get("b", 1.0)
    return {"sum": a + b, "a": a, "b": b, "plain": 5.0}


def test_one_reading_is_chosen_jointly_for_the_paper():
    published = [
        Published("p", "T", "plain", "plain", "5.0"),
        Published("p", "T", "a", "a", "2"),
        Published("p", "T", "sum", "sum", "5"),
        Published("p", "T", "sum", "sum as printed elsewhere", "9"),
    ]
    readings = [Reading("a2", "a is 2", {"a": 2.0}), Reading("b3", "b is 3", {"b": 3.0})]
    rows = reconcile(published, _compute, readings)
    assert {row.scope_reading for row in rows} == {"a2 + b3"}  # reproduces 3 of 4, more than any other
    assert [row.status for row in rows] == ["reproduced", *["reproduced-under-reading"] * 2, "contradicted"]
    assert rows[2].computed == 2.0 and rows[2].computed_under_reading == 5.0
    assert "no reading reproduces it" in rows[3].note


def test_a_match_under_a_reading_the_paper_does_not_use_is_contradicted():
    # "a" = 2 needs a2, "b" = 1 needs the stated b; "b" = 3 and the sum 5 need b3: b3 + a2 wins 3 to 1
    published = [
        Published("p", "T", "a", "a", "2"),
        Published("p", "T", "b", "b", "3"),
        Published("p", "T", "sum", "sum", "5"),
        Published("p", "T", "b", "b again", "1", reason="the table prints b twice"),
    ]
    readings = [Reading("a2", "a is 2", {"a": 2.0}), Reading("b3", "b is 3", {"b": 3.0})]
    rows = reconcile(published, _compute, readings)
    assert rows[3].status == "contradicted"
    assert rows[3].note.startswith("the table prints b twice; matches only under 'the stated data'")


def test_scopes_get_their_own_reading():
    published = [Published("p", "T1", "a", "a", "2"), Published("p", "T2", "a", "a", "1")]
    readings = [Reading("a2", "a is 2", {"a": 2.0})]
    rows = reconcile(published, _compute, readings, [Scope("second table", ("T2",))])
    assert [(row.scope, row.scope_reading, row.status) for row in rows] == [
        ("paper", "a2", "reproduced-under-reading"),
        ("second table", "", "reproduced"),
    ]


def test_inputs_and_arithmetic_are_never_reproductions():
    published = [
        Published("p", "T", "plain", "typed in", "5", role="input"),
        Published("p", "T", "sum", "sum of printed numbers", "2", role="arithmetic"),
        Published("p", "T", "sum", "a wrong sum", "3", role="arithmetic"),
    ]
    rows = reconcile(published, _compute)
    assert [row.status for row in rows] == ["input", "arithmetic", "contradicted"]
    assert not any(row.is_reproduction for row in rows)


def test_a_number_without_its_inputs_is_data_missing_even_when_equal():
    published = [Published("p", "T", "x", "x", "5", note="input not in the paper", reproducible=False)]
    rows = reconcile(published, lambda settings: {"x": 5.0})
    assert rows[0].status == "data-missing" and rows[0].note.startswith("input not in the paper")
    assert "equal to the published number, but not a reproduction" in rows[0].note


def test_expected_status_and_summary():
    published = [
        Published("p", "T", "plain", "plain", "5", expect="reproduced"),
        Published("p", "T", "a", "a", "7", expect="reproduced"),
    ]
    rows = reconcile(published, _compute)
    assert [row.as_expected for row in rows] == [True, False]
    counts = summary(rows)
    assert counts["p"]["reproduced"] == 1 and counts["p"]["contradicted"] == 1 and counts["total"] == counts["p"]
    assert set(counts["p"]) == set(STATUSES) and set(REPRODUCTIONS) < set(STATUSES)


def test_readings_from_case_files_are_validated():
    with pytest.raises(DataError):
        Reading.from_dict({"id": "x", "text": "nothing set"}, 0)
    assert Reading.from_dict({"id": "t", "text": "cut", "compare": "truncate"}, 0).comparison == "truncate"
