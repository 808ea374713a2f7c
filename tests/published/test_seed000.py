"""Seed 000's published numbers: reproduced under one reading, the inputs and claims marked as such.

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


def test_every_published_number_is_listed_with_its_expected_status(rows):
    assert len(rows) == 54 and all(row.as_expected for row in rows)
    assert Counter(row.status for row in rows) == {
        "reproduced": 16,
        "reproduced-under-reading": 28,
        "input": 6,
        "arithmetic": 4,
    }


def test_the_six_standalone_incomes_are_inputs(rows):
    standalone = [row for row in rows if row.quantity.startswith("independent operation income G")]
    assert len(standalone) == 6 and {row.status for row in standalone} == {"input"}


def test_one_reading_for_the_whole_paper(rows):
    assert {row.scope_reading for row in rows} == {"k=80 + eq17 + phi=0.75 + printed-shapley + printed-coefficients"}
    car_share = next(row for row in rows if row.quantity == "distribution coefficient a* eq. (9) (car manufacturer)")
    assert car_share.computed_under_reading == pytest.approx(0.32 * (1 - 810 / 920) + 280 / 920)


def test_printed_r_star_is_eq17_not_the_optimum(rows):
    targets = [row for row in rows if row.quantity.startswith("optimal coefficient")]
    assert {row.status for row in targets} == {"reproduced-under-reading"}
    car = next(row for row in targets if "car" in row.quantity)
    assert car.computed == pytest.approx(0.31 + 0.32 * 0.12)  # the true optimum


def test_claims_efficiency_and_the_abstract_ranges(rows):
    table = {(row.location, row.quantity): row for row in rows}
    assert table[("Table 2", "efficiency: Σ U - (V_m - k - Σ C)")].compared == pytest.approx(620 - 620)
    ranges = [row for row in rows if row.location == "abstract"]
    assert len(ranges) == 2 and {row.status for row in ranges} == {"reproduced-under-reading"}
    assert {row.stated_printed for row in ranges} == {"false"}  # with the stated k = 100 the ranges fail


def test_stated_values_without_any_reading():
    values = seed000.compute({})
    assert values["shapley[car manufacturer]"] == pytest.approx(340.8333333)
    assert values["beta[facility operator]"] == pytest.approx(0.381 * 0.4 + 0.4583 * 0.3 + 0.3333 * 0.3)
    assert values["short.share[car manufacturer]"] == pytest.approx(0.32 * 0.1 + 280 / 900)
    assert values["distributable"] == pytest.approx(1000 - 100 - 300)


def test_unknown_setting_is_an_error():
    with pytest.raises(ValueError, match="unknown setting"):
        seed000.compute({"negotiation_costs": 80})
