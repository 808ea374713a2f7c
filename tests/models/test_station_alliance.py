import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from alliance_reference import independent_value
from hypothesis import given, settings
from hypothesis import strategies as st

from evgames.data import DataError
from evgames.data.shipped import load_case
from evgames.data.station_alliance import StationAllianceData
from evgames.data.synthetic import synthetic_city
from evgames.models import station_alliance as sa
from evgames.solvers import parallel, solve


def seed001():
    return StationAllianceData.from_dict(load_case("seed001_stations"))


def test_seed001_values_by_hand():
    solution = sa.solve(seed001())
    # S1 alone: 6 h x 50 x 30 - 600; S2 alone: 156 own vehicles x 30 - 400; together: + 93 moved at 25 - 130.
    assert solution.game.to_dict() == pytest.approx({"S1": 8400, "S2": 4280, "S1,S2": 8400 + 4280 + 93 * 25 - 130})
    assert solution.plan["vehicles"].tolist() == [28, 13, 16, 22, 6, 8]  # 13:00: S2 holds 28 of 50
    assert solution.allocations["shapley"].to_dict() == pytest.approx({"S1": 8400 + 1097.5, "S2": 4280 + 1097.5})
    assert solution.convex and solution.shapley_in_core


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 4), st.integers(2, 5), st.integers(0, 10_000))
def test_coalition_values_equal_an_independent_milp(stations, periods, seed):
    data = synthetic_city(stations, periods, seed)
    values = sa.coalition_values(data)
    for mask, value in values.items():
        members = {n for i, n in enumerate(data.names) if mask >> i & 1}
        assert value == pytest.approx(independent_value(data, members), abs=1e-6)


def test_relaxation_and_standalone_closed_form():
    data = synthetic_city(4, 24, seed=3)
    integer, relaxed = sa.coalition_values(data), sa.coalition_values(data, relax=True)
    assert all(relaxed[mask] >= integer[mask] - 1e-7 for mask in integer)
    for i, name in enumerate(data.names):
        model = sa.build_model(data, [name])
        result = solve(model, "highs")
        assert result.objective == pytest.approx(sa.standalone_value(data, name)) == pytest.approx(integer[1 << i])
    for mask in (3, 7, 15):  # the persistent grand model equals a model built for the coalition alone
        members = [n for i, n in enumerate(data.names) if mask >> i & 1]
        assert solve(sa.build_model(data, members), "highs").objective == pytest.approx(integer[mask])


@pytest.fixture
def pool_always(monkeypatch):
    """Start the worker pool however small the sweep (a small one is otherwise done here alone)."""
    monkeypatch.setattr(parallel, "POOL_AFTER_SECONDS", 0.0)


@pytest.mark.slow
@pytest.mark.usefixtures("pool_always")
def test_parallel_workers_equal_sequential():
    # each chunk starts from a cold basis: the values are the same bits wherever a chunk ran
    data = synthetic_city(5, 24, seed=1)
    assert sa.coalition_values(data, workers=2) == sa.coalition_values(data)


@pytest.fixture(scope="module")
def city6_expected():
    data = synthetic_city(6, 24, seed=0)
    masks = range(1, 1 << 6)
    return data, {mask: independent_value(data, set(sa._coalition_names(data.names, mask))) for mask in masks}


ORDERS = ([15, 47], list(range(1, 64)), list(reversed(range(1, 64))), [int(m) for m in sa.gray_code(6)])


@pytest.mark.parametrize("route", ["relaxation proved", "milp fallback", "compiled milp"])
def test_persistent_resolves_equal_independent_milps_in_any_order(city6_expected, route):
    # HiGHS re-solving a MIP whose bounds changed in place once reported the previous search's incumbent:
    # {S1..S4} then {S1..S4, S6} came out 92.1 above the optimum. Every order must give the true values, on
    # each route: the LP relaxation proved integral, the array MILP it falls back to, the compiled Pyomo MILP.
    data, expected = city6_expected
    for order in ORDERS:
        coalitions = sa.CoalitionSolver(data, prove_by_relaxation=route == "relaxation proved")
        for mask in order:
            members = sa._coalition_names(data.names, mask)
            found = coalitions.solve(members)[0] if route == "compiled milp" else coalitions.value(members)
            assert found == pytest.approx(expected[mask], abs=1e-6), (order[:2], members)
        if route == "relaxation proved":  # the proof held every time: no MILP was needed
            assert coalitions.resolver.milp_solves == 0 and coalitions.resolver.relaxed_solves == len(order)
        if route == "milp fallback":
            assert coalitions.resolver.milp_solves == len(order) and coalitions.resolver.relaxed_solves == 0


PARALLEL_AFTER_SOLVE = """
import json, sys
from evgames.data.synthetic import synthetic_city
from evgames.models import station_alliance as sa
from evgames.solvers import parallel

parallel.POOL_AFTER_SECONDS = 0.0  # start the pool, small as the sweep is

if __name__ == "__main__":
    data = synthetic_city(5, 24, seed=1)
    sa.CoalitionSolver(data).value(["S1", "S2"])  # HiGHS has run (and started its threads) in this process
    print(json.dumps(sa.coalition_values(data, workers=2)))
"""


@pytest.mark.slow
def test_parallel_run_after_an_in_process_solve_finishes(tmp_path):
    # A pool forked after HiGHS ran hung for ever; the workers must start safely and finish.
    script = tmp_path / "after_solve.py"
    script.write_text(PARALLEL_AFTER_SOLVE)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    values = {int(mask): value for mask, value in json.loads(done.stdout).items()}
    assert values == pytest.approx(sa.coalition_values(synthetic_city(5, 24, seed=1)))


@pytest.mark.slow
def test_workers_without_a_main_guard_fail_with_a_message(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(PARALLEL_AFTER_SOLVE.replace('if __name__ == "__main__":\n', "if True:\n"))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and 'if __name__ == "__main__":' in done.stderr


@pytest.mark.slow
def test_dask_executor_path():
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    data = synthetic_city(4, 24, seed=2)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        values = sa.coalition_values(data, executor=client.get_executor())
    assert values == pytest.approx(sa.coalition_values(data))


def test_sampled_shapley_close_to_exact():
    data = synthetic_city(5, 24, seed=4)
    exact = sa.solve(data).allocations["shapley"]
    estimate = sa.sampled_shapley(data, permutations=300, seed=1)
    assert np.all(np.abs(estimate.value - exact) <= 4 * estimate.standard_error + 1e-6)


def test_other_milp_solvers_go_through_the_solver_layer():
    data = synthetic_city(3, 6, seed=5)
    assert sa.coalition_values(data, solver="appsi_highs") == pytest.approx(sa.coalition_values(data))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stations": []}, "stations"),
        ({"compensation": -1}, "compensation"),
        ({"diversion": [{"from": "S1", "to": "S9"}]}, "diversion"),
        ({"diversion": [{"from": "S1", "to": "S2", "max_share": 1.5}]}, "diversion[0].max_share"),
    ],
)
def test_invalid_data_names_the_field(change, field):
    record = {**load_case("seed001_stations"), **change}
    with pytest.raises(DataError) as raised:
        StationAllianceData.from_dict(record)
    assert raised.value.field == field


def test_unequal_periods_rejected():
    record = dict(load_case("seed001_stations"))
    record["stations"] = [record["stations"][0], {**record["stations"][1], "arrivals": [1, 2]}]
    with pytest.raises(DataError, match="same number of periods"):
        StationAllianceData.from_dict(record)


def test_shipped_synthetic_city_equals_its_generator():
    shipped = StationAllianceData.from_dict(load_case("synthetic_city10"))
    generated = synthetic_city(10, 24, seed=0)
    assert shipped.stations == generated.stations
    assert shipped.diversions == generated.diversions


def test_example_city_equals_its_generator():
    example = StationAllianceData.from_yaml(Path(__file__).resolve().parents[2] / "examples" / "city.yaml")
    assert example == synthetic_city(6, 24, seed=0)


def test_solution_frame_lists_each_allocation_by_station():
    solution = sa.solve(seed001())
    frame = solution.to_frame()
    assert list(frame.index) == ["S1", "S2"] and frame.loc["S1", "standalone"] == 8400  # 6 h x 50 x 30 - 600
    assert frame["shapley"].sum() == pytest.approx(solution.game.grand_value)
    assert set(frame.columns) >= {"standalone", "shapley", "nucleolus"}
