"""Seed 000's published numbers: every one is reproduced, and by the reading worked out by hand.

Hand checks behind the expectations: with k = 80, V_m - k = 920 and eq. (9) gives a = (0.342609,
0.258152, 0.399239) -> Table 2; eq. (17) gives r* = (0.346525, 0.267763, 0.385712); eq. (18) with
φ = 0.75 from r = (0.34603, 0.23409, 0.41988) gives (0.3464, 0.2593, 0.3943) -> Table 3.
"""

from collections import Counter

import pytest

from evgames.papers import reproduce, seed000


@pytest.fixture(scope="module")
def rows():
    return reproduce("000")


def test_every_published_number_is_listed_and_reproduced(rows):
    assert len(rows) == 48
    assert Counter(row.status for row in rows) == {"match": 22, "match-under-reading": 26}


def test_table2_needs_negotiation_cost_80(rows):
    table2 = [
        row
        for row in rows
        if row.location == "Table 2" and "standalone" not in row.quantity and "independent" not in row.quantity
    ]
    assert {row.reading for row in table2} == {"k=80"}
    car_share = next(row for row in table2 if row.quantity.startswith("distribution") and "car" in row.quantity)
    assert car_share.computed_under_reading == pytest.approx(0.32 * (1 - 810 / 920) + 280 / 920)


def test_printed_r_star_is_eq17_not_the_optimum(rows):
    targets = [row for row in rows if row.quantity.startswith("optimal coefficient")]
    assert {row.reading for row in targets} == {"eq17"}
    car = next(row for row in targets if "car" in row.quantity)
    assert car.computed == pytest.approx(0.31 + 0.32 * 0.12)  # the true optimum


def test_stated_values_without_any_reading():
    values = seed000.compute({})
    assert values["shapley[car manufacturer]"] == pytest.approx(340.8333333)
    assert values["beta[facility operator]"] == pytest.approx(0.381 * 0.4 + 0.4583 * 0.3 + 0.3333 * 0.3)
    assert values["short.share[car manufacturer]"] == pytest.approx(0.32 * 0.1 + 280 / 900)


def test_unknown_setting_is_an_error():
    with pytest.raises(ValueError, match="unknown setting"):
        seed000.compute({"negotiation_costs": 80})
