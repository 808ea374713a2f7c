import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from evgames.data import DataError
from evgames.data.shipped import load_case
from evgames.data.station_alliance import StationAllianceData
from evgames.data.synthetic import synthetic_city
from evgames.models import station_alliance as sa
from evgames.solvers import solve


def seed001():
    return StationAllianceData.from_dict(load_case("seed001_stations"))


def independent_value(data, members, integer=True):
    """The coalition's value formulated from scratch as a scipy MILP (HiGHS inside scipy)."""
    members = [n for n in data.names if n in members]
    terms = {(d.source, d.target): d for d in data.diversions}
    columns, cost, upper = [], [], []
    for j in members:
        s = data.station(j)
        for t in range(data.periods):
            columns.append(("served", j, None, t))
            cost.append(-s.profit_per_vehicle)
            cap = min(s.arrivals[t], s.capacity * data.period_hours)
            upper.append(np.floor(cap + 1e-9) if integer else cap)
    for j in members:
        for k in members:
            if j == k:
                continue
            d = terms[j, k]
            for t in range(data.periods):
                columns.append(("diverted", j, k, t))
                cost.append(-(data.station(k).profit_per_vehicle - d.compensation - d.travel_cost))
                cap = d.max_share * data.overflow(j)[t]
                upper.append(np.floor(cap + 1e-9) if integer else cap)
    rows, row_upper = [], []
    for t in range(data.periods):
        for k in members:  # capacity of k
            rows.append(
                [
                    1.0
                    if (c[0] == "served" and c[1] == k and c[3] == t)
                    or (c[0] == "diverted" and c[2] == k and c[3] == t)
                    else 0.0
                    for c in columns
                ]
            )
            row_upper.append(data.station(k).capacity * data.period_hours)
        for j in members:  # overflow of j
            rows.append([1.0 if c[0] == "diverted" and c[1] == j and c[3] == t else 0.0 for c in columns])
            row_upper.append(data.overflow(j)[t])
    found = milp(
        np.array(cost),
        constraints=LinearConstraint(np.array(rows), -np.inf, np.array(row_upper)),
        bounds=Bounds(0, np.array(upper)),
        integrality=np.ones(len(cost)) if integer else None,
    )
    assert found.success
    fixed = sum(data.station(j).operating_cost for j in members) + (data.platform_cost if len(members) > 1 else 0)
    return -found.fun - fixed


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


@pytest.mark.slow
def test_parallel_workers_equal_sequential():
    data = synthetic_city(5, 24, seed=1)
    assert sa.coalition_values(data, workers=2) == pytest.approx(sa.coalition_values(data))


def test_persistent_resolves_equal_independent_milps_in_any_order():
    # HiGHS re-solving a MIP whose bounds changed in place once reported the previous search's incumbent:
    # {S1..S4} then {S1..S4, S6} came out 92.1 above the optimum. Every order must give the true values.
    data = synthetic_city(6, 24, seed=0)
    masks = range(1, 1 << 6)
    expected = {mask: independent_value(data, set(sa._coalition_names(data.names, mask))) for mask in masks}
    for order in ([15, 47], list(masks), list(reversed(masks))):
        coalitions = sa.CoalitionSolver(data)
        for mask in order:
            members = sa._coalition_names(data.names, mask)
            assert coalitions.value(members) == pytest.approx(expected[mask], abs=1e-6), (order[:2], members)


PARALLEL_AFTER_SOLVE = """
import json, sys
from evgames.data.synthetic import synthetic_city
from evgames.models import station_alliance as sa

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
