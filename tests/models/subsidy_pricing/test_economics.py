import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evgames.data import DataError
from evgames.data.subsidy_pricing import TRIP_COLUMNS, SubsidyPricingParams, load_trips, synthetic_trips
from evgames.models import subsidy_pricing as sp


def test_capital_recovery_factors():
    assert sp.capital_recovery(0.1, 4) == pytest.approx(0.1 * 1.1**4 / (1.1**4 - 1))
    assert [sp.capital_recovery(0.1, k, rounded=True) for k in (4, 20, 10)] == [0.315, 0.117, 0.163]


def test_choice_threshold_equals_the_cost_comparison():
    params = SubsidyPricingParams()
    trips = synthetic_trips(300, seed=3)
    s, t = trips["distance_km"].to_numpy(), trips["duration_min"].to_numpy()
    tw, v = trips["wait_min"].to_numpy(), trips["value_of_time"].to_numpy()
    for ps, pt in [(1.683, 0.175), (0.5, 0.05), (3.0, 0.3)]:
        shared_cost = ps * s + pt * t + (tw + t) * v + params.comfort_sharing * s  # eq. (2)
        private_cost = params.private_cost_per_km * s + t * v + params.comfort_private * s  # eq. (5)
        assert np.array_equal(shared_cost < private_cost, ps * s + pt * t < sp.choice_thresholds(params, trips))


def test_utilities_by_hand_on_two_trips():
    params = SubsidyPricingParams()
    trips = pd.DataFrame(
        {
            "distance_km": [30.0, 2.0],
            "duration_min": [30.0, 10.0],
            "start_min": [1430.0, 600.0],
            "wait_min": [10.0, 10.0],
            "value_of_time": [0.5, 0.5],
        }
    )
    outcome = sp.evaluate(sp.OperatorProblem(params, trips, rounded_crf=True), 1.0, 0.1, sp.Subsidies(0.1, 0.2))
    # trip 1: 30 + 3 = 33 < 2.42 x 30 - 5 = 67.6 -> shared; trip 2: 2 + 1 = 3 > 2.42 x 2 - 5 < 0 -> private
    assert outcome.trips == 1 and outcome.fleet == int(40 + 16.67 * 0.3 + 0.05)
    environmental = 365 * 30 * (76.662 * 0.81 * 0.505 + 14.955 * 0.15 * 0.287) / 100
    parking = 1 / 2 * 2500 * 30 * 0.163
    outlay = outcome.fleet * (134800 * 0.1 * 0.315 + 30000 * 0.2 * 0.117)
    assert outcome.environmental == pytest.approx(environmental)
    assert outcome.government == pytest.approx(environmental + parking - outlay)
    per_vehicle = 134800 * 0.315 + 30000 * 0.117 + 1.3 * 2500 * 30 * 0.163 + 150 * 365
    operator = 365 * 33 + 1277.5 * outcome.fleet + outlay - 365 * 30 * 35.001 * 0.81 / 100 - outcome.fleet * per_vehicle
    assert outcome.operator == pytest.approx(operator)
    assert outcome.vehicles_in_use == 1  # the shared trip wraps past midnight and is alone on the road


def test_vehicles_in_use_counts_overlaps_across_midnight():
    # A: 23:50-00:10 (wraps), B: 00:00-00:03, C: 00:05-00:35, D: 23:55-00:05 (wraps), E: 10:00-10:10
    trips = pd.DataFrame(
        {"start_min": [1430.0, 0.0, 5.0, 1435.0, 600.0], "duration_min": [20.0, 3.0, 30.0, 10.0, 10.0]}
    )
    assert sp.vehicles_in_use(trips, np.ones(5, dtype=bool)) == 3  # A, B and D in minutes 0-2
    assert sp.vehicles_in_use(trips, np.array([True, False, True, False, False])) == 2  # A and C in minutes 5-9
    assert sp.vehicles_in_use(trips, np.array([False, False, False, False, True])) == 1


def test_parameters_overrides_and_trips_csv(tmp_path):
    params = SubsidyPricingParams().with_overrides({"base_fleet": "50"})
    assert params.base_fleet == 50
    table = SubsidyPricingParams().table()
    assert table.set_index("name").loc["usage_fleet_response", "symbol"] == "k3"
    with pytest.raises(DataError, match="unknown parameter"):
        SubsidyPricingParams().with_overrides({"bogus": 1})
    path = tmp_path / "trips.csv"
    synthetic_trips(50, seed=1).to_csv(path, index=False)
    assert list(load_trips(path).columns) == list(TRIP_COLUMNS)
    pd.DataFrame({"distance_km": [1.0]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="missing columns"):
        load_trips(path)


def test_synthetic_trips_are_calibrated_to_the_paper():
    params = SubsidyPricingParams()
    problem = sp.OperatorProblem(params, synthetic_trips(5000, seed=0), rounded_crf=True)
    outcome = sp.evaluate(problem, 1.683, 0.175, sp.Subsidies(0.1444, 0.3835))
    assert 0.38 <= outcome.sharing_ratio <= 0.42  # the paper: 40.16 %
    assert outcome.feasible


@given(st.integers(0, 10_000))
def test_vehicles_in_use_equals_a_minute_by_minute_count(seed):
    trips = synthetic_trips(40, seed)
    sets = np.random.default_rng(seed).random((40, 5)) < 0.5
    begin = np.floor(trips["start_min"].to_numpy()).astype(int) % 1440
    length = np.ceil(trips["duration_min"].to_numpy()).astype(int).clip(1, 1440)
    peaks = []
    for shared in sets.T:
        busy = np.zeros(1440, dtype=int)
        for first, minutes in zip(begin[shared], length[shared]):
            busy[(first + np.arange(minutes)) % 1440] += 1
        peaks.append(busy.max())
    assert sp.vehicles_in_use(trips, sets[:, 0]) == peaks[0]
    assert sp.InUse(trips).peaks(sets).tolist() == peaks  # many sets in one product


def test_vehicles_in_use_of_many_sets_at_once_equal_one_at_a_time():
    trips = synthetic_trips(300, 9)
    sets = np.random.default_rng(9).random((300, 700)) < 0.3
    counter = sp.InUse(trips)
    one_by_one = [counter.peaks(column) for column in sets.T]
    assert counter.peaks(sets).tolist() == one_by_one  # 700 sets: the row-by-row path
    assert counter.peaks(sets[:, :300]).tolist() == one_by_one[:300]  # the blocked running-sum path
