import json

import numpy as np
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from evgames.data import DataError
from evgames.data.demand_response import CATEGORIES, DemandResponseData
from evgames.data.shipped import load_case
from evgames.data.synthetic_load import synthetic_load
from evgames.models import demand_response as dr
from evgames.verification import CheckVerdict, VerificationTable


def data(**changes):
    record = dict(load_case("seed002_demand"))
    record.update(changes)
    return DemandResponseData.from_dict(record)


def shipped():
    return DemandResponseData.from_yaml(load_case("seed002_demand"))


def concave():
    # strong self-elasticities and wide bounds: the stationary point is inside the box and lowers the bill
    strong = {row: {col: (-1.5 if row == col else 0.05) for col in CATEGORIES} for row in CATEGORIES}
    return data(elasticity=strong, price_change_bounds={c: [-0.25, 0.5] for c in CATEGORIES})


def verdicts(table):
    return {check.check: check.verdict for check in table.checks}


@pytest.mark.parametrize(
    "case", [shipped, lambda: data(load=synthetic_load(5)), concave], ids=["shipped", "synthetic-load", "concave"]
)
def test_every_check_passes(case):
    table = dr.verify(case())
    assert table.passed, table.to_frame()
    # per NLP variant: 3 prices + margin vs closed form + objective vs eq. (15) (+ the bill with the cap); 2 MILP checks
    assert table.counts() == {"agree": 12, "differs": 0, "holds": 1, "violated": 0, "failed": 0}
    json.dumps(table.to_dict(), allow_nan=False)


def test_shipped_optimum_lies_on_the_bill_cap_with_an_indefinite_margin():
    optimum = dr.tariff_optimum(shipped())
    assert not optimum.concave and optimum.degenerate_faces == 0
    assert optimum.face == "valley inside, medium at upper bound, peak at lower bound, bill cap binding"
    # the quadratic's stationary point is a saddle far outside the ±0.05 box, so it cannot be the optimum
    assert np.all(np.abs(dr.stationary_price_change(shipped())) > 0.05)


def test_closed_form_is_the_stationary_point_when_the_margin_is_concave_and_nothing_binds():
    optimum = dr.tariff_optimum(concave(), bill_cap=False)
    assert optimum.concave and optimum.face == "valley inside, medium inside, peak inside"
    assert optimum.change.to_numpy() == pytest.approx(dr.stationary_price_change(concave()).to_numpy(), abs=1e-12)


def margin_and_bill(d, changes):
    # the margin and the users' bill of eq. (15) written out afresh, vectorised over rows of price changes
    load = np.array(d.load)
    index = np.array([CATEGORIES.index(c) for c in d.category])
    totals = np.array([load[index == c].sum() for c in range(3)])
    price = np.array([d.price[c] for c in CATEGORIES])
    cost = np.array([d.purchase_cost[c] for c in CATEGORIES])
    after = totals * (1 + changes @ (d.elasticity_matrix() / price).T)
    return ((price + changes - cost) * after).sum(axis=1) * dr.UNIT, ((price + changes) * after).sum(axis=1) * dr.UNIT


def assert_global_optimum(d, bill_cap, points=21):
    optimum = dr.tariff_optimum(d, bill_cap)
    axes = [np.linspace(*d.price_change_bounds[c], points) for c in CATEGORIES]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    margin, bill = margin_and_bill(d, np.vstack([grid, optimum.change.to_numpy()]))
    before = (np.array([d.price[c] for c in d.category]) * np.array(d.load)).sum() * dr.UNIT
    feasible = bill[:-1] <= before + 1e-9 if bill_cap else np.ones(len(grid), dtype=bool)
    assert margin[-1] == pytest.approx(optimum.margin, abs=1e-9)
    assert not bill_cap or bill[-1] <= before + 1e-8
    assert margin[:-1][feasible].max() <= optimum.margin + 1e-9


@pytest.mark.parametrize("bill_cap", [True, False])
def test_closed_form_beats_every_point_of_a_grid(bill_cap):
    assert_global_optimum(shipped(), bill_cap)
    # a zero self-elasticity: margin and bill are linear along the valley's edges (a singular face)
    odd = {
        "valley": {"valley": 0.0, "medium": 0.76, "peak": 0.72},
        "medium": {"valley": 0.66, "medium": -0.16, "peak": 0.03},
        "peak": {"valley": 0.36, "medium": 0.05, "peak": -0.1},
    }
    assert_global_optimum(data(elasticity=odd, price_change_bounds={c: [-0.15, 0.15] for c in CATEGORIES}), bill_cap)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(-1.5, 1.0), min_size=9, max_size=9),
    st.floats(0.02, 0.2),
    st.booleans(),
)
def test_closed_form_is_the_global_optimum_of_any_tariff_nlp(entries, width, bill_cap):
    matrix = np.array(entries).reshape(3, 3)
    elasticity = {
        row: {col: float(matrix[i, j]) for j, col in enumerate(CATEGORIES)} for i, row in enumerate(CATEGORIES)
    }
    try:
        d = data(elasticity=elasticity, price_change_bounds={c: [-width, width] for c in CATEGORIES})
    except DataError:  # the data's own price change drives a load below zero
        reject()
    assert_global_optimum(d, bill_cap, points=15)


def test_tier_payoffs_by_hand():
    d = data(incentive={**load_case("seed002_demand")["incentive"], "reduction_limit": [6, 2] + [0] * 22})
    value = np.array([0.25, 0.25] + [0.01] * 22)
    payoffs = dr.tier_payoffs(d, value)
    # hour 0, limit 6: (0.25 - price) x the tier's top x 0.1
    assert payoffs[0] == pytest.approx([0.0, 0.22 * 1.5 * 0.1, 0.19 * 3 * 0.1, 0.13 * 4.5 * 0.1, 0.07 * 6 * 0.1])
    # hour 1, limit 2: tier 2 is capped at 2 MW; tiers 3 and 4 start above the limit
    assert payoffs[1] == pytest.approx([0.0, 0.22 * 1.5 * 0.1, 0.19 * 2 * 0.1, -np.inf, -np.inf])
    # limit 0, value below every price: tier 1 at r = 0 costs nothing, the others are infeasible
    assert payoffs[2] == pytest.approx([0.0, 0.0, -np.inf, -np.inf, -np.inf])


def test_incentive_value_is_the_one_case_4_uses():
    d = shipped()
    assert dr.incentive_response(d, dr.incentive_value(d)).payment.sum() == pytest.approx(
        dr.case_benefits(d, "both").payments
    )


def test_enumeration_stays_small_and_says_what_it_covers():
    checks = dr.incentive_checks(shipped())
    assert [check.verdict for check in checks] == [CheckVerdict.AGREE] * 2
    assert checks[1].check == "incentive MILP, hours 7,8,9,10,14,15,16: optimum vs enumeration"
    assert checks[1].detail.startswith("78,125 tier combinations over 7 of 24 hours")  # 5^7 <= 1e5 < 5^8


def test_a_wrong_tariff_is_reported(monkeypatch):
    honest = dr.tariff_design

    def off(d, solver=None, bill_cap=True):
        change, result = honest(d, solver, bill_cap)
        return change + np.array([0.01, 0.0, 0.0]), result

    monkeypatch.setattr(dr, "tariff_design", off)
    found = verdicts(VerificationTable(tuple(dr.tariff_checks(shipped()))))
    for label in ("with bill cap", "without bill cap"):
        assert found[f"tariff NLP {label}: ΔP_valley vs closed form"] is CheckVerdict.DIFFERS
        assert found[f"tariff NLP {label}: ΔP_medium vs closed form"] is CheckVerdict.AGREE
        assert found[f"tariff NLP {label}: objective vs margin of the eq. (15) response"] is CheckVerdict.DIFFERS
    # a valley price 0.01 higher than the optimum raises the users' bill where the cap binds
    assert found["tariff NLP with bill cap: users' bill does not rise (eq. (15) response)"] is CheckVerdict.VIOLATED


def test_a_milp_missing_a_tier_is_reported(monkeypatch):
    honest = dr.build_incentive_model

    def without_third_tier(d, value):
        model = honest(d, value)
        for t in model.hours:
            model.chosen[t, 2].fix(0)
        return model

    monkeypatch.setattr(dr, "build_incentive_model", without_third_tier)
    checks = dr.incentive_checks(shipped())
    assert [check.verdict for check in checks] == [CheckVerdict.DIFFERS] * 2
    assert all(check.found < check.expected for check in checks)


def test_a_failed_solve_is_reported(monkeypatch):
    def broken(*args, **kwargs):
        raise dr.SolverError("ipopt stopped with status 'iteration_limit'")

    monkeypatch.setattr(dr, "tariff_design", broken)
    checks = dr.tariff_checks(shipped())
    assert [check.verdict for check in checks] == [CheckVerdict.FAILED] * 2
    assert checks[0].check == "tariff NLP with bill cap" and "iteration_limit" in checks[0].detail
