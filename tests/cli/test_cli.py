import json
import re
from pathlib import Path

import pandas as pd
import pytest

from evgames.cli import main
from evgames.data.subsidy_pricing import SubsidyPricingParams, synthetic_trips
from evgames.models.subsidy_pricing import OperatorProblem, Subsidies, best_response, outcome_at

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_solve_bargaining_json_contract(capsys):
    code, out, _ = run(capsys, "solve", "bargaining", "--json")
    record = json.loads(out)
    assert code == 0
    assert set(record) == {"model", "status", "solver", "shares", "payoffs", "objective"}
    assert record["status"] == "optimal" and record["solver"].startswith("cyipopt+casadi")
    assert record["shares"]["car manufacturer"] == pytest.approx(0.32 * 0.1 + 280 / 900, abs=1e-8)


def test_solve_satisfaction_json_contract_with_data_file(capsys):
    code, out, _ = run(
        capsys,
        "solve",
        "satisfaction",
        "--data",
        str(EXAMPLES / "satisfaction_binding.yaml"),
        "--solver",
        "ipopt",
        "--json",
    )
    record = json.loads(out)
    assert code == 0 and record["model"] == "satisfaction"
    assert record["optimum"] == pytest.approx({"A": 0.36, "B": 0.32, "C": 0.32}, abs=1e-8)
    assert record["adjusted"]["A"] == pytest.approx(0.34 + 0.5 * (0.36 - 0.34), abs=1e-8)
    assert record["paper_eq17"]["A"] > 0.36


def test_solver_chosen_by_config_file(capsys, tmp_path):
    config = tmp_path / "pso.toml"
    config.write_text('[solver]\nname = "pso"\n[solver.options]\nseed = 4\n')
    code, out, _ = run(capsys, "solve", "bargaining", "--config", str(config), "--json")
    assert code == 0 and json.loads(out)["solver"].startswith("evgames PSO")
    code, out, _ = run(capsys, "solve", "bargaining", "--config", str(EXAMPLES / "solver.toml"), "--json")
    assert code == 0 and json.loads(out)["solver"].startswith("cyipopt")


def test_verify_flags_eq17(capsys):
    code, out, _ = run(capsys, "verify", "satisfaction", "--json")
    assert code == 0
    report = json.loads(out)["reports"][0]
    verdicts = {(row["closed_form"], row["solver"]): row["verdict"] for row in report["comparisons"]}
    assert verdicts[("true optimum (KKT, bounds included)", "ipopt")] == "agree"
    assert verdicts[("paper eq. (17)", "ipopt")] == "closed form not optimal"
    ipopt_row = next(r for r in report["comparisons"] if r["solver"] == "ipopt" and r["verdict"] == "agree")
    assert ipopt_row["max_abs_difference"] < 1e-8


def test_verify_human_output(capsys):
    code, out, _ = run(capsys, "verify", "bargaining")
    assert code == 0 and "eq. (9)" in out and "agree" in out


def test_reproduce_json_rows(capsys):
    code, out, _ = run(capsys, "reproduce", "--paper", "000", "--json")
    rows = json.loads(out)["rows"]
    assert code == 0 and len(rows) == 54
    keys = {"paper", "location", "quantity", "published", "computed", "status", "reading", "note", "unit"}
    assert all(keys <= set(row) for row in rows)
    statuses = {"reproduced", "reproduced-under-reading", "input", "arithmetic", "data-missing", "contradicted"}
    assert {row["status"] for row in rows} <= statuses


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["solve", "bargaining", "--solver", "highs"], "HiGHS solves LP and MILP"),
        (["solve", "bargaining", "--data", "/no/such/file.yaml"], "cannot be read"),
        (["solve", "bargaining", "--solver", "ipopt", "--config", "/no/such.toml"], "cannot be read"),
        (["reproduce", "--paper", "999"], "not covered yet"),
    ],
)
def test_errors_exit_2_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_bad_data_names_field(capsys, tmp_path):
    data = tmp_path / "bad.yaml"
    data.write_text(
        "total_benefit: 100\nnegotiation_cost: 0\nplayers:\n"
        "  - {name: A, cost: 10, standalone: 10, power: 0.5}\n"
        "  - {name: B, cost: 10, standalone: 10, power: -0.5}\n"
    )
    code, _, err = run(capsys, "solve", "bargaining", "--data", str(data))
    assert code == 2 and "players[1].power" in err


@pytest.mark.parametrize(
    "method", ["shapley", "banzhaf", "solidarity", "nucleolus", "least-core", "modified-shapley", "topsis"]
)
def test_allocate_json_contract(capsys, method):
    code, out, _ = run(capsys, "allocate", "--data", str(EXAMPLES / "game.yaml"), "--method", method, "--json")
    record = json.loads(out)
    assert code == 0 and record["method"] == method
    assert set(record["allocation"]) == {"grid", "operator", "property"}
    assert set(record["checks"]) == {"efficient", "individually_rational", "in_core"}
    assert record["checks"]["efficient"] is (method != "banzhaf")


def test_allocate_values_by_hand(capsys):
    _, out, _ = run(capsys, "allocate", "--data", str(EXAMPLES / "game.yaml"), "--method", "nucleolus", "--json")
    assert json.loads(out)["allocation"] == pytest.approx({"grid": 34.25, "operator": 24.25, "property": 10.5})


def test_reproduce_covers_the_allocation_papers(capsys):
    code, out, _ = run(capsys, "reproduce", "--json")
    papers = {row["paper"] for row in json.loads(out)["rows"]}
    assert code == 0 and papers >= {"000", "001", "002", "004"}


def test_solve_station_alliance_json_contract(capsys):
    code, out, _ = run(capsys, "solve", "station-alliance", "--json")
    record = json.loads(out)
    assert code == 0 and record["model"] == "station-alliance" and record["status"] == "optimal"
    assert record["coalition_value"] == pytest.approx({"S1": 8400, "S2": 4280, "S1,S2": 14875})
    assert record["grand_value"] == pytest.approx(14875)
    assert {"from", "to", "period", "vehicles"} == set(record["diversions"][0])
    assert set(record["allocation"]) >= {"shapley", "modified_shapley"}


def test_solve_demand_response_json(capsys):
    code, out, _ = run(capsys, "solve", "demand-response", "--case", "price", "--json")
    record = json.loads(out)
    assert code == 0 and record["model"] == "demand-response" and record["case"] == "price"
    assert len(record["load_before"]) == len(record["load_after"]) == 24
    assert set(record["cases"]) == {"none", "price", "incentive", "both"}
    total = record["cases"]["both"]["platform"] + record["cases"]["both"]["user"]
    assert sum(record["allocation"]["shapley"].values()) == pytest.approx(total)
    assert record["checks"]["shapley"]["efficient"] is True


def test_segment_json_and_plots(capsys, tmp_path):
    code, out, _ = run(capsys, "segment", "--plot", str(tmp_path), "--json")
    record = json.loads(out)
    assert code == 0 and record["k"] == 4 and len(record["labels"]) == 400
    assert {path.split("/")[-1] for path in record["figures"]} == {"sse_curve.png", "segments.png"}


def test_params_lists_every_parameter(capsys):
    code, out, _ = run(capsys, "params", "subsidy-pricing", "--json")
    rows = json.loads(out)["parameters"]
    symbols = {row["name"]: row["symbol"] for row in rows}
    assert code == 0 and symbols["base_fleet"] == "m0" and symbols["vehicle_subsidy_max"] == "Sc1max"
    assert {row["name"]: row["value"] for row in rows}["usage_fleet_response"] == 0.05


SMALL_OPERATOR = [
    "--param",
    "base_fleet=6",
    "--param",
    "subsidy_fleet_response=1",
    "--param",
    "operating_cost=20",
    "--param",
    "vehicle_cost=30000",
    "--param",
    "parking_cost=500",
]


# The operator level alone, at the paper's subsidies, on a small town's trips. The paper's Sc2 = 0.3835 breaks
# its own cap Sc2max = 0.3 (a subsidy above its cap is refused), so the cap is raised to evaluate it.
PAPER_SUBSIDY = ["--fixed-subsidy", "0.1444,0.3835", "--param", "infrastructure_subsidy_max=0.4"]
FIXED_SMALL = ["--seed", "2", *PAPER_SUBSIDY, *SMALL_OPERATOR, "--json"]


def test_solve_subsidy_pricing_operator_level_exact_and_milp(capsys):
    common = ["solve", "subsidy-pricing", "--trips", "60", *FIXED_SMALL]
    code, out, _ = run(capsys, *common)
    exact = json.loads(out)
    assert code == 0 and exact["model"] == "subsidy-pricing" and exact["method"] == "exact"
    assert set(exact) >= {
        "status",
        "subsidy",
        "price",
        "trips",
        "fleet",
        "operator",
        "government",
        "environmental",
        "social",
    }
    code, out, _ = run(capsys, *common, "--method", "milp")
    assert code == 0 and json.loads(out)["operator"] == pytest.approx(exact["operator"], rel=1e-6)


# Subsidies move the operator here and the fleet-in-use limit stays slack: the exact upper level applies.
SUBSIDIES_MATTER = [
    *("--param", "base_fleet=10", "--param", "usage_fleet_response=0.1", "--param", "subsidy_fleet_response=5"),
    *("--param", "operating_cost=60", "--param", "vehicle_cost=60000", "--param", "parking_cost=500"),
    *("--trips", "150", "--seed", "3"),
]


def test_solve_subsidy_pricing_bilevel_exact_and_grid(capsys):
    code, out, _ = run(capsys, "solve", "subsidy-pricing", *SUBSIDIES_MATTER, "--json")
    exact = json.loads(out)
    assert code == 0 and exact["upper_level"].startswith("exact over") and exact["upper_supremum"] is False
    assert exact["in_use_checks"] >= 1  # at least the response's own cell was checked against eq. (11)
    params = SubsidyPricingParams(
        base_fleet=10, usage_fleet_response=0.1, subsidy_fleet_response=5, operating_cost=60, vehicle_cost=60000,
        parking_cost=500,
    )  # fmt: skip
    problem = OperatorProblem(params, synthetic_trips(150, 3))
    subsidy = Subsidies(exact["subsidy"]["vehicle"], exact["subsidy"]["infrastructure"])
    response = best_response(problem, subsidy)
    assert exact["government"] == pytest.approx(outcome_at(problem, response, subsidy).government)
    code, out, _ = run(capsys, "solve", "subsidy-pricing", *SUBSIDIES_MATTER, "--upper", "grid", "--json")
    grid = json.loads(out)
    assert code == 0 and grid["upper_level"].startswith("grid") and grid["government"] <= exact["government"] + 1e-6
    assert grid["status"] == "heuristic" and exact["status"] == "optimal"  # a grid samples, it proves nothing


def test_solve_subsidy_pricing_errors(capsys):
    code, _, err = run(capsys, "solve", "subsidy-pricing", "--method", "milp", "--trips", "20")
    assert code == 2 and "--fixed-subsidy" in err
    code, _, err = run(capsys, "solve", "subsidy-pricing", "--param", "nonsense=1", "--trips", "20")
    assert code == 2 and "unknown parameter" in err


def test_solve_subsidy_pricing_pso_reports_its_gap(capsys):
    code, out, _ = run(capsys, "solve", "subsidy-pricing", "--trips", "60", "--method", "pso", *FIXED_SMALL)
    record = json.loads(out)
    assert code == 0 and record["status"] == "heuristic" and record["pso"]["operator_gap"] >= -1e-6
    # at fixed subsidies only the operator's swarm runs; it stops for one of the swarm's own reasons
    assert record["pso"]["outer_status"] is None
    assert record["pso"]["inner_status"] in {"converged", "iteration_limit", "time_limit", "no_feasible_point"}


def test_solve_subsidy_pricing_expected(capsys):
    code, out, _ = run(capsys, "solve", "subsidy-pricing", "--trips", "80", "--method", "expected", *FIXED_SMALL)
    record = json.loads(out)
    assert code == 0 and record["method"] == "expected" and "operator" in record["expected"]
    code, _, err = run(capsys, "solve", "subsidy-pricing", "--method", "expected", "--trips", "20")
    assert code == 2 and "--fixed-subsidy" in err


def test_study_writes_tables_and_figures(capsys, tmp_path):
    code, out, _ = run(
        capsys,
        "study",
        "subsidy-pricing",
        "--out",
        str(tmp_path),
        "--points",
        "3",
        *SUBSIDIES_MATTER,
    )
    assert code == 0 and "equilibrium: Sc1 =" in out
    names = {path.name for path in tmp_path.iterdir()}
    assert {"prices_perturbed.csv", "subsidies_perturbed.csv", "sweeps.csv", "sweep_price_per_km.png"} <= names
    scenarios = pd.read_csv(tmp_path / "scenarios.csv", index_col=0)
    assert scenarios.loc["vehicle_subsidy", "no subsidies"] == 0 and "Table 2" in out
    # the slowest of the 3 points per parameter is named, with its change, on a line of its own
    from evgames.models.subsidy_pricing.studies import SWEPT

    (slowest,) = re.findall(r"^slowest sweep point: (\S+) ([+-]\d+\.\d)%, (\d+\.\d) s$", out, flags=re.M)
    assert slowest[0] in SWEPT and float(slowest[1]) in (-10.0, 0.0, 10.0) and float(slowest[2]) >= 0


def test_verify_exits_1_when_a_check_could_not_be_carried_out(monkeypatch, capsys):
    from evgames import api
    from evgames.verification import VerificationTable, failed

    table = VerificationTable((failed("station-alliance", "coalition S1: fresh MILP", "HiGHS: time limit"),))
    monkeypatch.setattr(api, "verify_all", lambda models, path: ([], table))
    assert main(["verify", "--all", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["verdicts"]["counts"]["failed"] == 1
