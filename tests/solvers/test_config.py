from pathlib import Path

import pytest

from evgames.solvers import SolverConfig, SolverOptionError


def test_toml_and_yaml_files(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text('[solver]\nname = "pso"\ntime_limit = 3\n[solver.options]\nseed = 7\n')
    config = SolverConfig.from_file(toml)
    assert (config.name, config.time_limit, dict(config.options)) == ("pso", 3, {"seed": 7})
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text("solver:\n  name: ipopt\n  tolerance: 1.0e-9\n  options: {mu_strategy: adaptive}\n")
    config = SolverConfig.from_file(yaml_file)
    assert (config.name, config.tolerance, config.options["mu_strategy"]) == ("ipopt", 1e-9, "adaptive")
    assert config.with_name("pso").name == "pso"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[solver]\nname = "ipopt"\ntimelimit = 3\n', "solver.timelimit is not a known setting"),
        ('[solver]\nname = "ipopt"\ntime_limit = -1\n', "solver.time_limit = -1"),
        ('[solver]\nname = "ipopt"\nverbose = "yes"\n', "solver.verbose"),
        ("[solver\n", "cannot be parsed"),
    ],
)
def test_bad_config_names_the_setting(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SolverOptionError, match=message):
        SolverConfig.from_file(path)


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(SolverOptionError, match="cannot be read"):
        SolverConfig.from_file(tmp_path / "none.toml")
    other = tmp_path / "c.ini"
    other.write_text("x")
    with pytest.raises(SolverOptionError, match="toml"):
        SolverConfig.from_file(other)


PER_SOLVER = """
[solver]
name = "ipopt"
time_limit = 30
[solver.options]
max_iter = 500
[solver.ipopt]
mu_strategy = "adaptive"
[solver.highs]
presolve = "on"
[solver.pso]
swarm_size = 60
"""


def test_per_solver_tables_follow_the_chosen_name(tmp_path):
    from evgames.solvers import native_options

    path = tmp_path / "s.toml"
    path.write_text(PER_SOLVER)
    config = SolverConfig.from_file(path)
    assert native_options("ipopt", config) == {"max_wall_time": 30, "max_iter": 500, "mu_strategy": "adaptive"}
    pso = config.with_name("pso")  # the CLI's --solver pso: Ipopt's tables never reach the swarm
    assert native_options("pso", pso) == {"time_limit": 30, "swarm_size": 60}
    assert native_options("highs", config.with_name("HiGHS")) == {"time_limit": 30, "presolve": "on"}
    assert native_options("ipopt", pso.with_name("ipopt")) == {"max_wall_time": 30, "mu_strategy": "adaptive"}


def test_precedence_flat_then_named_table_then_code(tmp_path):
    from evgames.solvers.registry import merged_config, native_options

    config = SolverConfig(name="ipopt", options={"tol": 1e-6, "max_iter": 5}, tables={"ipopt": {"tol": 1e-7}})
    assert native_options("ipopt", config) == {"tol": 1e-7, "max_iter": 5}
    assert native_options("ipopt", merged_config(config, {"tol": 1e-9})) == {"tol": 1e-9, "max_iter": 5}


def test_per_solver_table_in_yaml_and_a_bad_table(tmp_path):
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text("solver:\n  name: pso\n  pso: {seed: 3}\n")
    assert SolverConfig.from_file(yaml_file).options_for("pso") == {"seed": 3}
    with pytest.raises(SolverOptionError, match=r"solver\.pso"):
        SolverConfig(name="pso", tables={"pso": 3})


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "solver.toml"


def test_example_file_serves_ipopt_highs_and_pso(capsys):
    import json

    import pyomo.environ as pyo

    from evgames.cli import main
    from evgames.solvers import solve

    config = SolverConfig.from_file(EXAMPLE)
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 4))
    m.c = pyo.Constraint(expr=2 * m.x <= 5)
    m.o = pyo.Objective(expr=m.x, sense=pyo.maximize)
    for name in ("ipopt", "highs", "pso"):  # each gets only its own table: Ipopt's options would break the others
        assert solve(m, config.with_name(name)).values["x"] == pytest.approx(2.5, abs=1e-6)
    assert main(["solve", "bargaining", "--config", str(EXAMPLE), "--solver", "pso", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["solver"] == "evgames PSO (time-varying, seed 0, 60 particles)"
