"""``evgames schema``: every shipped case and example file passes its JSON Schema; invalid files fail it and
``from_dict`` alike; the hand-written parts agree with the declarations the validators read."""

import copy
import json
import tomllib
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from strategies import bargaining_records, satisfaction_records

from evgames import api
from evgames.cli import main
from evgames.data.schema import SCHEMAS, field_rows, schema
from evgames.data.shipped import load_case
from evgames.data.validation import DataError, load_mapping
from evgames.games import TUGame
from evgames.games.tu import GAME_FORMS
from evgames.solvers import SolverConfig, SolverError
from evgames.solvers.config import _FIELDS as SOLVER_FIELDS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: How each data file is read: the validator an invalid file must fail as the schema does.
READERS = {
    **{model: lambda record, model=model: api.family(model).data_type().from_dict(record) for model in api.MODELS},
    "game": TUGame.from_mapping,
    "solver": SolverConfig.from_mapping,
}

#: (schema, shipped file) for every shipped data file: whole case files and the blocks that are data files.
SHIPPED = [
    ("bargaining", lambda: load_case("seed000")["bargaining"]),
    ("station-alliance", lambda: load_case("seed001_stations")),
    ("station-alliance", lambda: load_case("synthetic_city10")),
    ("demand-response", lambda: load_case("seed002_demand")),
    ("subsidy-pricing", lambda: load_case("seed003_small")),
    *(("game", lambda name=name: load_case(name)["game"]) for name in ("seed000", "seed001", "seed004")),
]

#: The example folder's data files and their schemas.
EXAMPLE_FILES = {
    "bargaining.yaml": "bargaining",
    "satisfaction_binding.yaml": "satisfaction",
    "city.yaml": "station-alliance",
    "game.yaml": "game",
    "security_council.yaml": "game",
    "solver.toml": "solver",
    "pso.toml": "solver",
}


def _errors(name, record):
    return list(jsonschema.Draft202012Validator(SCHEMAS[name]).iter_errors(record))


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_every_schema_is_a_valid_draft_2020_12_schema(name):
    jsonschema.Draft202012Validator.check_schema(SCHEMAS[name])


def test_there_is_a_schema_for_every_model_the_game_and_the_solver():
    assert set(SCHEMAS) == {*api.MODELS, "game", "solver"}


@pytest.mark.parametrize(("name", "record"), SHIPPED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SHIPPED)])
def test_every_shipped_case_passes_its_schema(name, record):
    assert _errors(name, record()) == []


@pytest.mark.parametrize(("file", "name"), EXAMPLE_FILES.items())
def test_every_example_file_passes_its_schema(file, name):
    path = EXAMPLES / file
    record = tomllib.loads(path.read_text()) if path.suffix == ".toml" else load_mapping(path)
    assert _errors(name, record) == []


def test_every_example_data_file_has_a_schema():
    data_files = {p.name for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".toml")}
    assert data_files <= set(EXAMPLE_FILES), "add the new example file to EXAMPLE_FILES"


@pytest.mark.parametrize(("name", "record"), SHIPPED[:5], ids=[n for n, _ in SHIPPED[:5]])
def test_what_to_dict_writes_passes_the_schema(name, record):
    written = READERS[name](record()).to_dict()
    assert _errors(name, json.loads(json.dumps(written))) == []


@settings(max_examples=30)
@given(bargaining_records())
def test_valid_bargaining_records_pass_the_schema(record):
    assert _errors("bargaining", record) == []


@settings(max_examples=30)
@given(satisfaction_records())
def test_valid_satisfaction_records_pass_the_schema(record):
    assert _errors("satisfaction", record) == []


def _changed(record, path, value):
    """A deep copy of ``record`` with ``path`` (keys and list positions) set to ``value`` (or removed: ...)."""
    record = copy.deepcopy(dict(record))
    *parents, last = path
    node = record
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return record


_BARGAINING = load_case("seed000")["bargaining"]
_STATIONS = load_case("seed001_stations")
_DEMAND = load_case("seed002_demand")
_GAME = load_mapping(EXAMPLES / "game.yaml")

#: (schema, invalid record): each must fail the schema and the data class's validator.
INVALID = {
    "negative cost": ("bargaining", _changed(_BARGAINING, ("players", 0, "cost"), -1)),
    "power as words": ("bargaining", _changed(_BARGAINING, ("players", 0, "power"), "high")),
    "one player": ("bargaining", _changed(_BARGAINING, ("players",), _BARGAINING["players"][:1])),
    "unknown field": ("bargaining", _changed(_BARGAINING, ("benefit",), 3)),
    "adjustment alone": (
        "satisfaction",
        _changed(load_mapping(EXAMPLES / "satisfaction_binding.yaml"), ("current",), ...),
    ),
    "zero capacity": ("station-alliance", _changed(_STATIONS, ("stations", 0, "capacity"), 0)),
    "station without arrivals": ("station-alliance", _changed(_STATIONS, ("stations", 1, "arrivals"), ...)),
    "tariff without peak": ("demand-response", _changed(_DEMAND, ("tariff", "peak"), ...)),
    "negative load": ("demand-response", _changed(_DEMAND, ("load", 3), -1)),
    "unknown parameter": ("subsidy-pricing", {"params": {"fleet": 3}}),
    "zero interest": ("subsidy-pricing", {"params": {"interest_rate": 0}}),
    "no synthetic trips": ("subsidy-pricing", {"trips": {"synthetic": 0}}),
    "two game forms": ("game", {**_GAME, "weighted_voting": {"quota": 2, "weights": [1, 1, 1]}}),
    "kind loss": ("game", {**_GAME, "kind": "loss"}),
    "negative tolerance": ("solver", {"solver": {"name": "ipopt", "tolerance": -1}}),
    "unknown solver setting": ("solver", {"solver": {"name": "ipopt", "gap": 0.1}}),
    "solver options not a table": ("solver", {"solver": {"name": "ipopt", "ipopt": {}, "options": 3}}),
}


@pytest.mark.parametrize(("name", "record"), INVALID.values(), ids=INVALID)
def test_an_invalid_file_fails_the_schema_and_the_validator(name, record):
    assert _errors(name, record)
    with pytest.raises((DataError, SolverError)):
        READERS[name](record)


def test_the_game_forms_match_the_constructors_the_validator_calls():
    properties = SCHEMAS["game"]["properties"]
    for form, spec in GAME_FORMS.items():
        assert set(properties[form]["properties"]) == {*spec.required, *spec.optional}, form
        assert set(properties[form]["required"]) == set(spec.required), form


def test_the_solver_settings_match_the_config():
    table = SCHEMAS["solver"]["properties"]["solver"]["anyOf"][1]
    assert tuple(table["properties"]) == SOLVER_FIELDS
    per_solver = {"solver": {"name": "ipopt", "ipopt": {"mu_strategy": "adaptive"}, "pso": {"swarm_size": 9}}}
    assert _errors("solver", per_solver) == []
    assert SolverConfig.from_mapping(per_solver).options_for("pso") == {"swarm_size": 9}


def test_every_number_of_the_subsidy_parameters_has_a_unit():
    rows = [row for row in field_rows("subsidy-pricing") if row[0].startswith("params.")]
    assert len(rows) == len(SCHEMAS["subsidy-pricing"]["properties"]["params"]["properties"])
    assert all(unit for _, _, unit, _ in rows)


def test_schema_returns_a_copy():
    schema("bargaining")["title"] = "changed"
    assert SCHEMAS["bargaining"]["title"] == "bargaining"


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_the_command_prints_the_schema_as_json(name, capsys):
    assert main(["schema", name]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(SCHEMAS[name]))


def test_the_readme_table_names_every_top_level_field():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Data files", 1)[1].split("\n## ", 1)[0]
    notes = {"source", "published", "readings", "benefits", "contribution_rate"}  # case files only
    for name, document in SCHEMAS.items():
        assert f"`{name}`" in section, name
        for field in set(document["properties"]) - notes:
            assert f"`{field}" in section or f"`solver.{field}" in section, (name, field)
