import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evgames.data import DataError
from evgames.data.demand_response import CATEGORIES, DemandResponseData
from evgames.data.shipped import load_case
from evgames.models import demand_response as dr


def data(**changes):
    record = dict(load_case("seed002_demand"))
    record.update(changes)
    return DemandResponseData.from_dict(record)


def test_zero_price_change_leaves_load_unchanged():
    d = data()
    for form in ("consistent", "printed"):
        assert dr.price_response(d, {c: 0.0 for c in CATEGORIES}, form) == pytest.approx(np.array(d.load))


def test_consistent_form_satisfies_the_elasticity_definition():
    # eq. (15): a price change in one category j gives (ΔQ_z/Q_z)/(ΔP_j/P_j) = e_zj for every z.
    d = data()
    load = np.array(d.load)
    index = np.array([CATEGORIES.index(c) for c in d.category])
    matrix = d.elasticity_matrix()
    for j, name in enumerate(CATEGORIES):
        change = {c: (0.01 if c == name else 0.0) for c in CATEGORIES}
        after = dr.price_response(d, change)
        for z in range(3):
            before_total, after_total = load[index == z].sum(), after[index == z].sum()
            measured = ((after_total - before_total) / before_total) / (0.01 / d.price[name])
            assert measured == pytest.approx(matrix[z, j], rel=1e-12)


def test_printed_form_differs_unless_elasticities_are_diagonal():
    d = data()
    assert np.max(np.abs(dr.price_response(d) - dr.price_response(d, form="printed"))) > 0.01
    diagonal = {row: {col: (d.elasticity[row][col] if row == col else 0.0) for col in CATEGORIES} for row in CATEGORIES}
    only_self = data(elasticity=diagonal)
    assert dr.price_response(only_self) == pytest.approx(dr.price_response(only_self, form="printed"))


def test_incentive_milp_payment_equals_the_tier_function():
    d = data()
    value = np.full(d.hours, 0.25)
    found = dr.incentive_response(d, value)
    for t, reduction in enumerate(found.reduction):
        assert found.payment[t] == pytest.approx(dr.stepped_payment(d, reduction))
        assert reduction <= d.reduction_limit[t] + 1e-9
    # by hand for a peak hour worth 0.25 net: (0.25 - 0.12) x 4.5 = 0.585 beats (0.25 - 0.18) x 6 = 0.42
    peak = d.category.index("peak")
    assert found.reduction[peak] == pytest.approx(4.5) and found.tier[peak] == 2


@settings(max_examples=20, deadline=None)
@given(st.floats(0.0, 0.3), st.floats(0.1, 6.0))
def test_incentive_milp_beats_every_single_tier_by_enumeration(value, limit):
    d = data(
        incentive={
            **load_case("seed002_demand")["incentive"],
            "reduction_limit": limit,
            "value": {c: value for c in CATEGORIES},
        }
    )
    found = dr.incentive_response(d, dr.reduction_value(d))
    best = max([0.0] + [(value - tier.price) * min(tier.upper, limit) for tier in d.tiers if tier.lower < limit])
    assert (value * found.reduction[0] - found.payment[0] / dr.UNIT) == pytest.approx(best, abs=1e-7)


def test_overlapping_tiers_from_the_paper_are_rejected():
    tiers = load_case("seed002_demand")["incentive"]["tiers"] + [{"lower": 0, "upper": 1, "price": 0.03}]
    with pytest.raises(DataError, match="overlaps"):
        data(incentive={**load_case("seed002_demand")["incentive"], "tiers": tiers})
    gapped = [{"lower": 0, "upper": 1.5, "price": 0.03}, {"lower": 2, "upper": 3, "price": 0.06}]
    with pytest.raises(DataError, match="gap"):
        data(incentive={**load_case("seed002_demand")["incentive"], "tiers": gapped})


def test_tariff_design_equals_the_quadratic_closed_form_when_nothing_binds():
    # strong self-elasticities make the margin concave; wide bounds and no bill cap leave it unconstrained
    strong = {row: {col: (-1.5 if row == col else 0.05) for col in CATEGORIES} for row in CATEGORIES}
    d = data(elasticity=strong, price_change_bounds={c: [-0.25, 0.5] for c in CATEGORIES})
    closed = dr.stationary_price_change(d)
    assert np.all((closed > -0.25) & (closed < 0.5))  # strictly inside the bounds
    found, result = dr.tariff_design(d, bill_cap=False)
    assert result.status == "optimal" and np.max(np.abs(found - closed)) < 1e-8


def test_tariff_design_keeps_the_bill_from_rising():
    d = data()
    change, result = dr.tariff_design(d)
    after = dr.price_response(d, change.to_dict())
    new_bill = ((d.hourly(d.price) + d.hourly(change.to_dict())) * after).sum()
    assert result.status == "optimal"
    assert new_bill <= (d.hourly(d.price) * np.array(d.load)).sum() + 1e-6
    assert result.objective >= dr.case_benefits(d, "none").platform - 1e-9  # never worse than no change


def test_four_cases_and_the_game():
    d = data()
    game, cases = dr.cooperation_game(d)
    assert cases["none"].user == 0.0 and cases["none"].payments == 0.0
    assert game.grand_value == pytest.approx(cases["both"].platform + cases["both"].user)
    table = dr.allocations(game, {"platform": 0.484, "user": 0.516})
    assert table.sum().to_dict() == pytest.approx({c: game.grand_value for c in table.columns})
    assert table.loc["user", "shapley"] == pytest.approx((game.grand_value - game.value("platform")) / 2)
