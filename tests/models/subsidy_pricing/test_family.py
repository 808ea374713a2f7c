"""The family's public shape: data round trips, solve's JSON is the command line's, entry points by method."""

import json

import numpy as np
import pandas as pd
import pytest

from evgames.cli import main
from evgames.data import DataError
from evgames.data.subsidy_pricing import TRIP_COLUMNS
from evgames.models import subsidy_pricing as sp
from evgames.solvers import PSOSettings

# Subsidies move the operator here and the fleet-in-use limit stays slack (as in tests/cli/test_cli.py).
OVERRIDES = {
    "base_fleet": 10,
    "usage_fleet_response": 0.1,
    "subsidy_fleet_response": 5,
    "operating_cost": 60,
    "vehicle_cost": 60000,
    "parking_cost": 500,
}
DATA = sp.SubsidyPricingData.from_dict({"params": OVERRIDES, "trips": {"synthetic": 150, "seed": 3}})
CLI = [f"--param={name}={value}" for name, value in OVERRIDES.items()] + ["--trips", "150", "--seed", "3"]


def test_data_round_trips_through_a_mapping_and_a_file(tmp_path):
    data = sp.SubsidyPricingData.from_dict(
        {"params": {"base_fleet": 12}, "trips": {"synthetic": 30, "seed": 2}, "rounded_crf": True}
    )
    record = data.to_dict()
    assert record["params"] == {"base_fleet": 12.0} and record["rounded_crf"] is True and len(record["trips"]) == 30
    again = sp.SubsidyPricingData.from_dict(json.loads(json.dumps(record)))
    assert again.to_dict() == record and again.params == data.params
    pd.testing.assert_frame_equal(again.trips, data.trips[list(TRIP_COLUMNS)])
    data.trips.to_csv(tmp_path / "trips.csv", index=False)
    (tmp_path / "case.yaml").write_text("params: {base_fleet: 12}\ntrips: trips.csv\nrounded_crf: true\n")
    assert sp.SubsidyPricingData.from_file(tmp_path / "case.yaml").to_dict() == record


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"parameters": {}}, "unknown field"),
        ({"params": {"bogus": 1}}, "unknown parameter"),
        ({"rounded_crf": "yes"}, "true or false"),
        ({"trips": [{"distance_km": 1.0}]}, "missing field"),
        ({"trips": [dict.fromkeys(TRIP_COLUMNS, 1.0) | {"wait_min": "soon"}]}, "row 1, column wait_min"),
        ({"trips": [dict.fromkeys(TRIP_COLUMNS, 1.0) | {"start_min": 1440.0}]}, "minutes of a day"),
    ],
)
def test_bad_data_is_refused_naming_the_field(record, message):
    with pytest.raises(DataError, match=message):
        sp.SubsidyPricingData.from_dict(record)


def test_subsidies_are_checked_against_the_caps():
    params = sp.SubsidyPricingParams()
    found = params.subsidies(0.1, 0.2)
    assert found == sp.Subsidies(0.1, 0.2) and found.total == pytest.approx(0.3)
    with pytest.raises(DataError, match="Sc1"):
        params.subsidies(0.6, 0.1)
    with pytest.raises(DataError, match="fixed_subsidy Sc2"):
        sp.solve(DATA, fixed_subsidy=(0.1, 0.4))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"upper": "grid"},
        {"fixed_subsidy": (0.2, 0.1)},
        {"method": "pso", "fixed_subsidy": (0.2, 0.1)},
    ],
)
def test_solve_gives_the_json_of_the_command_line(capfd, options):
    solution = sp.solve(DATA, **options)
    argv = ["solve", "subsidy-pricing", *CLI, "--json"]
    if "upper" in options:
        argv += ["--upper", options["upper"]]
    if "method" in options:
        argv += ["--method", options["method"]]
    if "fixed_subsidy" in options:
        argv += ["--fixed-subsidy", ",".join(map(str, options["fixed_subsidy"]))]
    assert main(argv) == 0
    assert json.loads(capfd.readouterr().out) == json.loads(json.dumps(solution.to_dict()))
    frame = solution.to_frame()
    assert frame.loc["subsidy.vehicle", "value"] == solution.outcome.vehicle_subsidy
    assert frame.loc["price.per_km", "value"] == solution.response.price_per_km


def test_methods_are_named_options():
    problem = sp.OperatorProblem.of(DATA)
    with pytest.raises(DataError, match="unknown method"):
        sp.best_response(problem, sp.Subsidies(0.1, 0.1), method="simplex")
    with pytest.raises(DataError, match="fixed subsidies"):
        sp.solve(DATA, method="milp")
    with pytest.raises(DataError, match="runs no configurable solver"):
        sp.solve(DATA, "highs")
    tiny = (PSOSettings(swarm_size=4, iterations=4, stall_iterations=3, seed=2), sp.swarm.INNER)
    swarm = sp.government_optimum(problem, "pso", swarms=tiny)
    assert swarm.method == "pso" and swarm.summary == "nested particle swarms (seed 003)"
    assert swarm.exact is not None and swarm.operator_gap >= -1e-6
    assert sp.government_optimum(problem).outcome.government >= swarm.outcome.government - 1e-6


def test_welfare_is_what_evaluate_reports():
    problem = sp.OperatorProblem.of(DATA)
    subsidies = sp.Subsidies(0.2, 0.1)
    outcome = sp.evaluate(problem, 2.0, 0.01, subsidies)
    figures = sp.welfare(problem.params, subsidies, outcome.trips, outcome.environmental)
    assert (figures.fleet, figures.parking, figures.social) == (outcome.fleet, outcome.parking, outcome.social)
    assert (figures.outlay, figures.government) == (outcome.subsidy_outlay, outcome.government)
    shared = problem.shares(np.array([2.0, 0.01]))
    assert problem.value(shared, np.array([2.0, 0.01]), subsidies) == outcome.operator


@pytest.mark.slow
def test_verify_runs_every_cross_check_and_they_pass():
    table = sp.verify(DATA)
    assert table.passed and {check.verdict for check in table.checks} == {"agree", "holds"}
    assert any("MILP" in check.check for check in table.checks)
    assert sp.verify(DATA, fixed_subsidy=(0.2, 0.1)).passed
