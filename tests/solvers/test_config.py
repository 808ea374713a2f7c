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
