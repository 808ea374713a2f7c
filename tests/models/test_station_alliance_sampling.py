"""Coalition sweeps on executors, and the sampled Shapley value from lazily evaluated coalitions (issue #15)."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import permutations as orderings
from math import factorial

import numpy as np
import pandas as pd
import pytest
from alliance_reference import independent_value
from scipy import sparse

from evgames.data import DataError
from evgames.data.synthetic import synthetic_city
from evgames.games import TUGame, shapley, shapley_sampled
from evgames.games.shapley import lazy_sampled_shapley, prefix_coalitions, sampled_orders
from evgames.models import station_alliance as sa
from evgames.solvers import coalition_lp, parallel
from evgames.solvers.coalition_lp import CoalitionProgram, CoalitionProgramSolver
from evgames.solvers.result import Status


def mask_of(names, members):
    return sum(1 << i for i, name in enumerate(names) if name in members)


def test_gray_code_visits_every_coalition_once_one_station_at_a_time():
    masks = sa.gray_code(7)
    assert sorted(masks.tolist()) == list(range(1, 1 << 7))
    assert all(bin(a ^ b).count("1") == 1 for a, b in zip(masks[:-1].tolist(), masks[1:].tolist()))


def test_sweeps_are_cut_into_chunks_that_do_not_depend_on_the_executor():
    assert [sa.chunk_size(count) for count in (10, 1023, 32767, (1 << 25) - 1)] == [8, 16, 512, 4096]


def test_fractional_capacities_shares_and_arrivals_keep_the_milp_values():
    # with ηΔt, max_share·overflow and arrivals fractional, the floored rows are the MILP's own integer points
    city = synthetic_city(4, 6, seed=8)
    data = replace(
        city,
        period_hours=0.7,
        stations=tuple(replace(s, arrivals=tuple(a * 1.3 for a in s.arrivals)) for s in city.stations),
        diversions=tuple(replace(d, max_share=0.55) for d in city.diversions),
    )
    for relax in (False, True):
        values = sa.coalition_values(data, relax=relax)
        for mask in values:  # a station alone (the closed form) included: its bounds are floored like the MILP's
            members = set(sa._coalition_names(data.names, mask))
            assert values[mask] == pytest.approx(independent_value(data, members, not relax), abs=1e-6)


def test_a_fractional_relaxation_falls_back_to_the_milp():
    # two players, one unit each worth 1, sharing a row 2 x1 + 2 x2 <= 3: the LP takes x = (1, 0.5) and is worth
    # 1.5; the integer optimum is 1. The rounded LP point (1, 0) or (1, 1) is not proved, so the MILP decides.
    program = CoalitionProgram(
        matrix=sparse.csr_matrix(np.array([[2.0, 2.0]])),
        row_lower=np.array([-np.inf]),
        row_upper=np.array([3.0]),
        upper=np.array([1.0, 1.0]),
        owners=np.array([1, 2]),
        profit=np.array([1.0, 1.0]),
        integer=True,
        fixed=np.array([0.25, 0.5]),
        joint=0.125,
    )
    solver = CoalitionProgramSolver(program)
    assert solver.value(3) == (pytest.approx(1 - 0.25 - 0.5 - 0.125), Status.OPTIMAL)
    assert solver.milp_solves == 1
    assert solver.value(1) == (pytest.approx(1 - 0.25), Status.OPTIMAL)  # alone: x1 = 1 is integral
    assert solver.milp_solves == 1 and solver.relaxed_solves == 2


def test_sweeps_on_a_thread_pool_equal_the_serial_sweep_bit_for_bit():
    data = synthetic_city(6, 24, seed=2)
    serial = sa.coalition_values(data)
    with ThreadPoolExecutor(2) as pool:
        assert sa.coalition_values(data, executor=pool) == serial
    assert not coalition_lp._WORKER_SOLVERS  # the threads' solvers are dropped after the sweep


def exact_table(data):
    values = np.zeros(1 << len(data.names))
    for mask, value in sa.coalition_values(data).items():
        values[mask] = value
    return values


def test_sampled_estimate_is_the_mean_of_marginal_contributions_and_its_error_their_std_over_root_m():
    # recomputed here from the orders numpy draws for the seed and the exact game's values
    data = synthetic_city(5, 24, seed=4)
    table, permutations, seed = exact_table(data), 50, 7
    rng = np.random.default_rng(seed)
    samples = np.zeros((permutations, 5))
    for row in range(permutations):
        mask = 0
        for player in rng.permutation(5):
            samples[row, player] = table[mask | 1 << player] - table[mask]
            mask |= 1 << player
    estimate = sa.sampled_shapley(data, permutations, seed)
    assert estimate.value.to_numpy() == pytest.approx(samples.mean(axis=0), abs=1e-9)
    assert estimate.standard_error.to_numpy() == pytest.approx(
        samples.std(axis=0, ddof=1) / np.sqrt(permutations), abs=1e-9
    )
    assert estimate.permutations == permutations and list(estimate.value.index) == list(data.names)


def test_sampled_estimate_equals_shapley_sampled_on_the_same_values():
    data = synthetic_city(6, 24, seed=1)
    cache = {}
    estimate = sa.sampled_shapley(data, 40, seed=3, cache=cache)
    reference = shapley_sampled((data.names, lambda members: cache.get(mask_of(data.names, members), 0.0)), 40, 3)
    pd.testing.assert_series_equal(estimate.value, reference.value, check_exact=True)
    pd.testing.assert_series_equal(estimate.standard_error, reference.standard_error, check_exact=True)


def test_sampled_estimate_on_executors_equals_the_serial_one_bit_for_bit():
    data = synthetic_city(6, 24, seed=5)
    serial = sa.sampled_shapley(data, 60, seed=2)
    with ThreadPoolExecutor(2) as pool:
        threaded = sa.sampled_shapley(data, 60, seed=2, executor=pool)
    pd.testing.assert_series_equal(threaded.value, serial.value, check_exact=True)
    pd.testing.assert_series_equal(threaded.standard_error, serial.standard_error, check_exact=True)


@pytest.mark.slow
def test_sampled_estimate_on_worker_processes_equals_the_serial_one_bit_for_bit(monkeypatch):
    monkeypatch.setattr(parallel, "POOL_AFTER_SECONDS", 0.0)  # start the pool, small as the job is
    data = synthetic_city(6, 24, seed=5)
    serial = sa.sampled_shapley(data, 60, seed=2)
    pooled = sa.sampled_shapley(data, 60, seed=2, workers=2)
    pd.testing.assert_series_equal(pooled.value, serial.value, check_exact=True)
    pd.testing.assert_series_equal(pooled.standard_error, serial.standard_error, check_exact=True)


@pytest.mark.parametrize(("stations", "seed"), [(5, 0), (6, 3)])
def test_many_permutations_land_within_a_few_standard_errors_of_the_exact_value(stations, seed):
    data = synthetic_city(stations, 24, seed=seed)
    table = exact_table(data)
    # the exact value by eq. (11) itself: every order, each player's marginal contribution
    exact = np.zeros(stations)
    for order in orderings(range(stations)):
        mask = 0
        for player in order:
            exact[player] += table[mask | 1 << player] - table[mask]
            mask |= 1 << player
    exact /= factorial(stations)
    assert exact == pytest.approx(shapley(TUGame(list(data.names), table)).to_numpy())
    estimate = sa.sampled_shapley(data, permutations=3000, seed=11)
    assert np.all(estimate.standard_error > 0)
    assert np.all(np.abs(estimate.value.to_numpy() - exact) <= 4 * estimate.standard_error.to_numpy() + 1e-6)


def test_coalitions_are_evaluated_once_and_only_when_an_order_needs_them():
    asked = []

    def evaluate(masks):
        asked.extend(masks.tolist())
        return np.array([float(bin(mask).count("1") ** 2) for mask in masks])

    cache = {}
    first = lazy_sampled_shapley(list("ABCDEFGH"), evaluate, 30, seed=1, cache=cache)
    count = len(asked)
    lazy_sampled_shapley(list("ABCDEFGH"), evaluate, 30, seed=2, cache=cache)
    assert len(asked) == len(set(asked)) == len(cache) and 0 not in asked
    assert count < 30 * 8  # shared prefixes (every order ends at N) are solved once
    orders = sampled_orders(8, 30, 1)
    needed = {int(mask) for mask in prefix_coalitions(orders).ravel()}
    assert set(asked[:count]) == needed
    # each order's marginal contributions add up to v(N) = 64, so the estimates do too
    assert first.value.sum() == pytest.approx(64.0) and first.standard_error.max() > 0


def test_sampling_refuses_too_few_orders_and_too_many_players():
    with pytest.raises(DataError, match="at least 2"):
        sampled_orders(5, 1, 0)
    with pytest.raises(DataError, match="62"):
        sampled_orders(63, 10, 0)


@pytest.mark.slow
def test_dask_cluster_runs_sweeps_and_sampling_as_the_serial_route():
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    data = synthetic_city(6, 24, seed=5)
    serial = sa.sampled_shapley(data, 60, seed=2)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_client = sa.sampled_shapley(data, 60, seed=2, executor=client)  # the Client itself
        on_executor = sa.sampled_shapley(data, 60, seed=2, executor=client.get_executor())
        values = sa.coalition_values(data, executor=client)
    for found in (on_client, on_executor):
        pd.testing.assert_series_equal(found.value, serial.value, check_exact=True)
        pd.testing.assert_series_equal(found.standard_error, serial.standard_error, check_exact=True)
    assert values == sa.coalition_values(data)


def small_city(stations, hours=1.0, compensation=0.0):
    from evgames.data.station_alliance import StationAllianceData

    return StationAllianceData.from_dict(
        {
            "period_hours": hours,
            "platform_cost": 0.0,
            "compensation": compensation,
            "travel_cost": 0.0,
            "stations": [dict(name=f"S{i + 1}", **station) for i, station in enumerate(stations)],
            "diversion": [],
        }
    )


@pytest.mark.parametrize("relax", [False, True])
def test_a_station_losing_money_on_each_vehicle_serves_none_alone(relax):
    data = small_city(
        [
            dict(capacity=10, operating_cost=1, profit_per_vehicle=-2, arrivals=[4, 6]),
            dict(capacity=10, operating_cost=1, profit_per_vehicle=3, arrivals=[1, 1]),
        ]
    )
    values = sa.coalition_values(data, relax=relax)
    assert values[1] == -1.0 == independent_value(data, {"S1"}, not relax)  # serves nothing, pays C = 1
    assert values[3] == pytest.approx(independent_value(data, {"S1", "S2"}, not relax))


def test_a_capacity_just_below_a_whole_number_holds_one_vehicle_less_in_every_row():
    # A overflows 4 vehicles; B (η Δt = 2.999999) serves its own 2 and has room for 0.999999 of a vehicle: none moves
    data = small_city(
        [
            dict(capacity=1, operating_cost=0, profit_per_vehicle=10, arrivals=[5]),
            dict(capacity=2.999999, operating_cost=0, profit_per_vehicle=10, arrivals=[2]),
        ]
    )
    assert sa.coalition_values(data) == {1: 10.0, 2: 20.0, 3: 30.0}


def test_a_relaxed_sweep_counts_nothing_of_a_station_that_left():
    # S2's capacity is 3e-8 vehicles worth 1e7 each: a warm start must not carry its column into coalitions without it
    data = small_city(
        [
            dict(capacity=2.1, operating_cost=1, profit_per_vehicle=1, arrivals=[3]),
            dict(capacity=3e-8, operating_cost=1, profit_per_vehicle=1e7, arrivals=[1]),
            dict(capacity=10, operating_cost=1, profit_per_vehicle=1, arrivals=[20]),
        ],
        compensation=5,
    )
    values = sa.coalition_values(data, relax=True)
    for mask, value in values.items():
        members = set(sa._coalition_names(data.names, mask))
        assert value == pytest.approx(independent_value(data, members, integer=False), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_the_proof_bound_holds_for_any_row_duals(seed):
    """Weak duality: whatever duals HiGHS returns, the bound is at least the LP's optimum (scipy's)."""
    from scipy.optimize import linprog

    data = synthetic_city(4, 3, seed)
    solver = CoalitionProgramSolver(sa.CoalitionSolver(data).program)
    solver.value(15)  # bounds of the grand coalition
    program = solver.program
    optimum = -linprog(
        -program.profit,
        A_ub=program.matrix.toarray(),
        b_ub=program.row_upper,
        bounds=list(zip(np.zeros(program.upper.size), solver.upper)),
        method="highs",
    ).fun
    rng = np.random.default_rng(seed)
    for duals in (rng.normal(size=program.row_upper.size) * 10, np.zeros(program.row_upper.size)):
        assert solver._dual_bound(duals) >= optimum - 1e-9 * max(1.0, abs(optimum))


def test_masks_outside_the_coalitions_are_refused():
    data = synthetic_city(3, 2, 0)
    for bad in (0, 8, -1):
        with pytest.raises(DataError, match="masks"):
            sa.evaluate_coalitions(data, np.array([bad], dtype=np.int64))
