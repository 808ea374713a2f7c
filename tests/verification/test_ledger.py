import pytest

from evgames.data import DataError
from evgames.verification import Published, Reading, reconcile


def test_printed_precision():
    percent = Published("x", "T", "k", "q", "19.56%")
    assert percent.value == pytest.approx(0.1956) and percent.half_unit == pytest.approx(5e-5)
    assert percent.matches(0.195556) and not percent.matches(0.19551)
    scaled = Published("x", "T", "k", "q", "3.408", scale=100)
    assert scaled.value == pytest.approx(340.8) and scaled.matches(340.833) and not scaled.matches(340.86)
    assert Published("x", "T", "k", "q", "346").matches(346.03)
    with pytest.raises(DataError):
        Published("x", "T", "k", "q", "about 3")


def test_readings_found_alone_and_combined():
    def compute(settings):
        a, b = settings.get("a", 1.0), settings.get("b", 1.0)
        return {"sum": a + b, "a": a, "plain": 5.0}

    published = [
        Published("p", "T", "plain", "plain", "5.0"),
        Published("p", "T", "a", "a", "2"),
        Published("p", "T", "sum", "sum", "5"),
        Published("p", "T", "sum", "sum", "9"),
    ]
    readings = [Reading("a2", "a is 2", {"a": 2.0}), Reading("b3", "b is 3", {"b": 3.0})]
    rows = reconcile(published, compute, readings)
    assert [row.status for row in rows] == ["match", "match-under-reading", "match-under-reading", "differs"]
    assert rows[1].reading == "a2" and rows[2].reading == "a2 + b3" and rows[2].computed == 2.0
    assert rows[2].computed_under_reading == 5.0
    assert "no reading reproduces it" in rows[3].note


def test_a_number_without_its_inputs_is_never_a_match():
    published = [Published("p", "T", "x", "x", "5", note="input not in the paper", reproducible=False)]
    rows = reconcile(published, lambda settings: {"x": 5.0})
    assert rows[0].status == "differs" and rows[0].note.startswith("not reproducible: input not in the paper")
