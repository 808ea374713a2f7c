"""A catalogue of hostile inputs, one row per case, each run through the ``evgames`` command line.

Every bad input must end with exit status 2 and exactly one line on stderr that names the field or
option and the bad value; never a traceback, never a silent wrong answer. The last rows are borderline
inputs that are valid and must succeed.

The cases run as child processes of one driver process (``cli_driver.py``), which imports the solver
stack once and forks a child per case: each child is ``python -m evgames.cli ARGV`` in all but the
start-up cost, with its own exit status, file descriptors, memory limit and timeout.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pytest
import yaml

#: The whole catalogue runs in one driver process (10–15 s): in the full suite, not in the fast tier.
pytestmark = pytest.mark.slow

DRIVER = Path(__file__).with_name("cli_driver.py")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass(frozen=True)
class Case:
    """One command line: files to write first, the exit status and what the output must say.

    ``expect`` is a regular expression searched (case-insensitively) in the single stderr line, or in
    stdout when ``code`` is 0.
    """

    id: str
    argv: tuple[str, ...]
    expect: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    code: int = 2


def case(id: str, argv: str, expect: str, code: int = 2, **files: str | bytes) -> Case:
    """A row: ``argv`` is split on spaces; keyword arguments are files (``x_yaml`` is written as ``x.yaml``)."""
    names = {re.sub(r"_(yaml|csv|toml|txt)$", r".\1", name): text for name, text in files.items()}
    return Case(id, tuple(argv.split()), expect, names, code)


# ----------------------------------------------------------------------------------------------- inputs

BARGAINING = """\
total_benefit: 1000
negotiation_cost: 100
players:
  - {name: A, cost: 100, standalone: 180, power: 0.5}
  - {name: B, cost: 80, standalone: 130, power: 0.5}
"""
SATISFACTION = (EXAMPLES / "satisfaction_binding.yaml").read_text()
GAME = (EXAMPLES / "game.yaml").read_text()
STATIONS = """\
period_hours: 1
platform_cost: 130
compensation: 5
stations:
  - {name: S1, capacity: 50, operating_cost: 600, profit_per_vehicle: 30, arrivals: [78, 63, 66]}
  - {name: S2, capacity: 50, operating_cost: 400, profit_per_vehicle: 30, arrivals: [18, 22, 30]}
"""
STATIONS_WEIGHTED = (
    STATIONS
    + """\
allocation:
  factors: [brand, contribution]
  scores: {S1: [0.6, 0.4], S2: [0.4, 0.6]}
  weights: [0.5, 0.5]
"""
)
TRIPS = """\
distance_km,duration_min,start_min,wait_min,value_of_time
12.5,20,480,8,0.3
3.1,9,1100,12,0.5
25,35,600,6,0.2
"""
SURVEY = """\
price_sensitivity,added_value,loyalty
0.9,0.2,0.4
0.8,0.3,0.5
0.2,0.9,0.5
0.3,0.8,0.6
0.5,0.5,0.9
0.4,0.6,0.8
"""
GARBAGE = bytes(range(256)) * 8


DEMAND = resources.files("evgames.data").joinpath("cases", "seed002_demand.yaml").read_text(encoding="utf-8")


def demand(change=None) -> str:
    """Seed 002's shipped demand-response case, changed by ``change(record)``, as YAML text."""
    record = yaml.safe_load(DEMAND)
    if change:
        change(record)
    return yaml.safe_dump(record, sort_keys=False)


def anchor_bomb(target: str) -> str:
    """The billion laughs: nine levels of nine aliases, 9^9 leaves once expanded, bound to ``target``."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + f"\n{target}: *i\n"


def city(stations: int) -> str:
    rows = [
        f"  - {{name: S{i}, capacity: 50, operating_cost: 500, profit_per_vehicle: 30, arrivals: [60, 20]}}"
        for i in range(1, stations + 1)
    ]
    return "compensation: 5\nstations:\n" + "\n".join(rows) + "\n"


def game(players: int) -> str:
    return f"players: [{', '.join(f'P{i}' for i in range(players))}]\nvalues: {{}}\n"


def set_in(path: str, value):
    """A change for :func:`demand`: set the dotted ``path`` to ``value``."""

    def change(record):
        *parents, last = path.split(".")
        for key in parents:
            record = record[key]
        record[last] = value

    return change


SUBSIDY = "solve subsidy-pricing --fixed-subsidy 0.1,0.1"
SUBSIDY20 = "solve subsidy-pricing --trips 20 --fixed-subsidy"
# A small operator (tests/cli/test_cli.py) and one car serving the three trips of TRIPS, which never overlap.
SMALL = "--param base_fleet=6 --param subsidy_fleet_response=1 --param operating_cost=20 --param vehicle_cost=30000"
SUBSIDY_SMALL = f"solve subsidy-pricing --trips 60 --seed 2 {SMALL} --fixed-subsidy"
ONE_CAR = (
    "--param base_fleet=1 --param subsidy_fleet_response=0 --param usage_fleet_response=0 --param in_use_share=1 "
    "--param operating_cost=1 --param vehicle_cost=1000 --param parking_cost=10 --param infrastructure_cost=100"
)

# fmt: off
# ------------------------------------------------------------------------------------------------ files

FILES = [
    case("binary-bargaining", "solve bargaining --data g.yaml", r"file = 'g\.yaml'.*not UTF-8", g_yaml=GARBAGE),
    case("binary-nul-text", "solve satisfaction --data g.yaml", r"file = 'g\.yaml'.*NUL", g_yaml=b"players:\x00\n"),
    case("binary-allocate", "allocate --data g.yaml --method shapley", r"file = 'g\.yaml'.*UTF-8", g_yaml=GARBAGE),
    case("binary-config", "solve bargaining --config s.toml", r"config file s\.toml.*UTF-8", s_toml=GARBAGE),
    case("binary-trips-csv", f"{SUBSIDY} --trips-csv t.csv", r"--trips-csv = 't\.csv'.*UTF-8", t_csv=GARBAGE),
    case("binary-survey-csv", "segment --data s.csv", r"--data = 's\.csv'.*UTF-8", s_csv=GARBAGE),
    case("empty-satisfaction", "solve satisfaction --data e.yaml", r"file = 'e\.yaml': is empty", e_yaml=""),
    case("empty-comments-only", "allocate --data e.yaml --method shapley", r"file = 'e\.yaml': is empty",
         e_yaml="# nothing but a comment\n\n"),
    case("empty-trips-csv", f"{SUBSIDY} --trips-csv t.csv", r"--trips-csv = 't\.csv': is empty", t_csv=""),
    case("empty-survey-csv", "segment --data s.csv", r"--data = 's\.csv': is empty", s_csv="\n"),
    case("header-only-trips-csv", f"{SUBSIDY} --trips-csv t.csv", r"--trips-csv = 't\.csv'.*header.*no rows",
         t_csv=TRIPS.splitlines()[0] + "\n"),
    case("header-only-survey-csv", "segment --data s.csv", r"--data = 's\.csv'.*header.*no rows",
         s_csv=SURVEY.splitlines()[0] + "\n"),
    case("anchor-bomb-allocate", "allocate --data b.yaml --method shapley", r"file = 'b\.yaml'.*more than 1,000,000",
         b_yaml="players: [A, B]\n" + anchor_bomb("values")),
    case("anchor-bomb-bargaining", "solve bargaining --data b.yaml", r"file = 'b\.yaml'.*anchor bomb",
         b_yaml=anchor_bomb("total_benefit")),
    case("anchor-bomb-stations", "solve station-alliance --data b.yaml", r"file = 'b\.yaml'.*anchor bomb",
         b_yaml=anchor_bomb("stations")),
    case("alias-cycle", "solve station-alliance --data c.yaml", r"file = 'c\.yaml'.*cycle",
         c_yaml="compensation: 5\nstations: &s [*s]\n"),
    case("nested-too-deeply", "solve bargaining --data d.yaml", r"file = 'd\.yaml'.*nested too deeply",
         d_yaml="players: " + "[" * 3000 + "]" * 3000 + "\n"),
    case("duplicate-key-top", "solve bargaining --data d.yaml", r"file = 'd\.yaml'.*'negotiation_cost'.*twice.*line 3",
         d_yaml=BARGAINING.replace("players:", "negotiation_cost: 0\nplayers:")),
    case("duplicate-key-flow", "solve bargaining --data d.yaml", r"'cost' appears twice.*line 4",
         d_yaml=BARGAINING.replace("cost: 100,", "cost: 100, cost: 1,")),
    case("duplicate-coalition", "allocate --data d.yaml --method shapley", r"file = 'd\.yaml'.*'grid' appears twice",
         d_yaml=GAME.replace("values: {grid: 24,", "values: {grid: 24, grid: 25,")),
    case("duplicate-coalition-spelling", "allocate --data d.yaml --method shapley",
         r"values\['grid,operator'\] = 54: the coalition is also given as 'operator,grid'",
         d_yaml=GAME.replace("property: 6,", "property: 6, \"operator,grid\": 1,")),
    case("duplicate-key-nested-demand", "solve demand-response --data d.yaml", r"'peak' appears twice.*line 2\d",
         d_yaml=DEMAND.replace("peak: 0.55}", "peak: 0.55, peak: 0.6}")),
    case("duplicate-key-config-yaml", "solve bargaining --config s.yaml", r"config file s\.yaml.*'name' appears twice",
         s_yaml="solver:\n  name: ipopt\n  name: pso\n"),
    case("missing-bargaining", "solve bargaining --data nope.yaml", r"file = 'nope\.yaml': cannot be read"),
    case("missing-stations", "solve station-alliance --data nope.yaml", r"file = 'nope\.yaml': cannot be read"),
    case("missing-demand", "solve demand-response --data nope.yaml", r"file = 'nope\.yaml': cannot be read"),
    case("missing-game", "allocate --data nope.yaml --method nucleolus", r"file = 'nope\.yaml': cannot be read"),
    case("missing-trips-csv", f"{SUBSIDY} --trips-csv nope.csv", r"--trips-csv = 'nope\.csv': cannot be read"),
    case("missing-survey-csv", "segment --data nope.csv", r"--data = 'nope\.csv': cannot be read"),
    case("missing-study-data", "study subsidy-pricing --out o --data nope.yaml", r"file = 'nope\.yaml': cannot be"),
    case("missing-config", "solve satisfaction --config nope.toml", r"config file nope\.toml: cannot be read"),
    case("directory-as-data", "verify bargaining --data .", r"file = '\.': cannot be read"),
    case("top-level-list", "solve satisfaction --data l.yaml", r"file = 'l\.yaml'.*mapping at the top level",
         l_yaml="- 1\n- 2\n"),
    case("yaml-syntax", "allocate --data s.yaml --method shapley", r"file = 's\.yaml': is not valid YAML",
         s_yaml="players: [A, B\nvalues: {}\n"),
    case("csv-ragged", f"{SUBSIDY} --trips-csv t.csv", r"--trips-csv = 't\.csv': is not a valid CSV",
         t_csv=TRIPS + "1,2,3,4,5,6,7\n"),
]

# ------------------------------------------------------------------------------------------------ types

TYPES = [
    case("bool-cost", "solve bargaining --data b.yaml", r"players\[0\]\.cost = True: must be a number",
         b_yaml=BARGAINING.replace("cost: 100,", "cost: true,")),
    case("bool-power", "solve satisfaction --data s.yaml", r"players\[0\]\.power = True",
         s_yaml=SATISFACTION.replace("power: 0.8", "power: yes")),
    case("bool-period-hours", "solve station-alliance --data s.yaml", r"period_hours = True",
         s_yaml=STATIONS.replace("period_hours: 1", "period_hours: true")),
    case("bool-reduction-limit", "solve demand-response --data d.yaml", r"incentive\.reduction_limit = True",
         d_yaml=demand(set_in("incentive.reduction_limit", True))),
    case("bool-tariff-hour", "solve demand-response --data d.yaml", r"tariff\.valley\.hours = True",
         d_yaml=demand(set_in("tariff.valley.hours", [True, 23, 0, 2, 3, 4, 5, 6]))),
    case("bool-coalition-value", "allocate --data g.yaml --method shapley", r"values\['grid'\] = True",
         g_yaml=GAME.replace("grid: 24,", "grid: true,")),
    case("bool-subsidy-override", "solve subsidy-pricing --data p.yaml --trips 20", r"param base_fleet = True",
         p_yaml="base_fleet: true\n"),
    case("list-for-number", "solve bargaining --data b.yaml", r"total_benefit = \[1000\]: must be a number",
         b_yaml=BARGAINING.replace("total_benefit: 1000", "total_benefit: [1000]")),
    case("mapping-for-list-players", "solve bargaining --data b.yaml", r"players = \{.*must be a list",
         b_yaml="total_benefit: 1000\nnegotiation_cost: 100\nplayers: {A: 1, B: 2}\n"),
    case("list-for-mapping-proposal", "solve satisfaction --data s.yaml", r"players\[0\]\.proposal = \[0\.36",
         s_yaml=SATISFACTION.replace("proposal: {A: 0.36, B: 0.30, C: 0.34}", "proposal: [0.36, 0.30, 0.34]")),
    case("text-for-list-players", "allocate --data g.yaml --method shapley", r"players = 'grid': must be a list",
         g_yaml=GAME.replace("players: [grid, operator, property]", "players: grid")),
    case("integer-coalition-key", "allocate --data g.yaml --method shapley", r"values = 1: name each coalition",
         g_yaml="players: [A, B]\nvalues: {1: 5, B: 3, 'A,B': 9}\n"),
    case("list-for-mapping-values", "allocate --data g.yaml --method shapley",
         r"values = \[24, 18\]: must be a mapping",
         g_yaml="players: [grid, operator]\nvalues: [24, 18]\n"),
    case("integer-for-list-arrivals", "solve station-alliance --data s.yaml", r"stations\[0\]\.arrivals = 78: must be",
         s_yaml=STATIONS.replace("arrivals: [78, 63, 66]", "arrivals: 78")),
    case("integer-for-list-hours", "solve demand-response --data d.yaml", r"tariff\.valley\.hours = 5: must be a list",
         d_yaml=demand(set_in("tariff.valley.hours", 5))),
    case("integer-for-list-tiers", "solve demand-response --data d.yaml", r"incentive\.tiers = 3: must be a list",
         d_yaml=demand(set_in("incentive.tiers", 3))),
    case("number-for-pair-bounds", "solve demand-response --data d.yaml", r"price_change_bounds\.valley = 0\.05",
         d_yaml=demand(set_in("price_change_bounds.valley", 0.05))),
    case("integer-for-list-factors", "allocate --data g.yaml --method modified-shapley",
         r"correction\.factors = 3: must be a list",
         g_yaml=GAME.replace("factors: [investment, risk, performance]", "factors: 3")),
    case("text-for-list-schemes", "allocate --data g.yaml --method topsis",
         r"topsis\.schemes = 'shapley': must be a list",
         g_yaml=GAME.split("topsis:")[0] + "topsis:\n  schemes: shapley\n"),
    case("mapping-for-list-diversion", "solve station-alliance --data s.yaml", r"diversion = \{.*must be a list",
         s_yaml=STATIONS + "diversion: {from: S1, to: S2}\n"),
    case("list-for-mapping-allocation", "solve station-alliance --data s.yaml",
         r"allocation = \[1, 2\]: must be a mapping",
         s_yaml=STATIONS + "allocation: [1, 2]\n"),
    case("text-in-scores", "allocate --data g.yaml --method modified-shapley",
         r"correction\.scores\.grid\[1\] = 'high': must be a number",
         g_yaml=GAME.replace("grid: [60, 0.48, 0.50]", "grid: [60, high, 0.50]")),
    case("text-in-comparisons", "allocate --data g.yaml --method modified-shapley", r"comparisons = .*'two'.*matrix",
         g_yaml=GAME.replace("[[1, 2, 2],", "[[1, two, 2],")),
    case("ragged-comparisons", "allocate --data g.yaml --method modified-shapley", r"comparisons = .*square matrix",
         g_yaml=GAME.replace("[[1, 2, 2], [0.5, 1, 1], [0.5, 1, 1]]", "[[1, 2, 2], [0.5, 1], [0.5, 1, 1]]")),
    case("text-in-demand-load", "solve demand-response --data d.yaml", r"load\[3\] = 'x': must be a number",
         d_yaml=demand(lambda r: r["load"].__setitem__(3, "x"))),
    case("text-in-trips-csv", f"{SUBSIDY} --trips-csv t.csv", r"row 2, column duration_min = 'abc': must be a number",
         t_csv=TRIPS.replace("3.1,9,", "3.1,abc,")),
    case("empty-cell-trips-csv", f"{SUBSIDY} --trips-csv t.csv", r"row 3, column wait_min = '': is empty",
         t_csv=TRIPS.replace("600,6,", "600,,")),
    case("text-in-survey-csv", "segment --data s.csv", r"--data row 4, column loyalty = 'n/a': must be a number",
         s_csv=SURVEY.replace("0.3,0.8,0.6", "0.3,0.8,n/a")),
    case("label-column-survey-csv", "segment --data s.csv", r"row 1, column type = 'rational': must be a number",
         s_csv="".join(f"{line},{label}\n" for line, label in zip(SURVEY.splitlines(), ["type", *["rational"] * 6]))),
    case("nan-power", "solve satisfaction --data s.yaml", r"players\[0\]\.power = nan: must be finite",
         s_yaml=SATISFACTION.replace("power: 0.8", "power: .nan")),
    case("inf-benefit", "solve bargaining --data b.yaml", r"total_benefit = inf: must be finite",
         b_yaml=BARGAINING.replace("total_benefit: 1000", "total_benefit: .inf")),
    case("nan-coalition-value", "allocate --data g.yaml --method nucleolus", r"values\['operator'\] = nan",
         g_yaml=GAME.replace("operator: 18,", "operator: .nan,")),
    case("nan-correction-scale", "allocate --data g.yaml --method modified-shapley", r"correction\.scale = nan",
         g_yaml=GAME.replace("scale: surplus", "scale: .nan")),
    case("inf-trips-csv", f"{SUBSIDY} --trips-csv t.csv", r"row 1, column value_of_time = 'inf': must be finite",
         t_csv=TRIPS.replace("8,0.3", "8,inf")),
    case("nan-survey-csv", "segment --data s.csv", r"row 2, column added_value = 'nan': must be finite",
         s_csv=SURVEY.replace("0.8,0.3,0.5", "0.8,nan,0.5")),
    case("nan-param", "solve subsidy-pricing --trips 20 --param in_use_share=nan", r"param in_use_share = 'nan'"),
    case("text-param", "solve subsidy-pricing --trips 20 --param base_fleet=many", r"param base_fleet = 'many'"),
    case("nan-fixed-subsidy", "solve subsidy-pricing --trips 20 --fixed-subsidy nan,0.1", r"--fixed-subsidy = 'nan'"),
    case("nan-contribution", "solve demand-response --contribution nan 0.5", r"--contribution = nan: must be finite"),
    case("bool-solver-setting", "solve bargaining --config s.toml", r"solver\.time_limit = True",
         s_toml='[solver]\nname = "ipopt"\ntime_limit = true\n'),
]

# ----------------------------------------------------------------------------------------------- ranges

RANGES = [
    case("negative-cost", "solve bargaining --data b.yaml", r"players\[1\]\.cost = -80: must not be negative",
         b_yaml=BARGAINING.replace("cost: 80,", "cost: -80,")),
    case("negative-negotiation-cost", "solve bargaining --data b.yaml",
         r"negotiation_cost = -100: must not be negative",
         b_yaml=BARGAINING.replace("negotiation_cost: 100", "negotiation_cost: -100")),
    case("negative-arrivals", "solve station-alliance --data s.yaml", r"stations\[1\]\.arrivals\[2\] = -30",
         s_yaml=STATIONS.replace("22, 30]", "22, -30]")),
    case("zero-capacity", "solve station-alliance --data s.yaml", r"stations\[0\]\.capacity = 0: must be positive",
         s_yaml=STATIONS.replace("capacity: 50, operating_cost: 600", "capacity: 0, operating_cost: 600")),
    case("share-above-one-diversion", "solve station-alliance --data s.yaml", r"diversion\[0\]\.max_share = 1\.5",
         s_yaml=STATIONS + "diversion: [{from: S1, to: S2, max_share: 1.5}]\n"),
    case("negative-load", "solve demand-response --data d.yaml", r"load\[5\] = -1: must not be negative",
         d_yaml=demand(lambda r: r["load"].__setitem__(5, -1))),
    case("negative-duration-trips-csv", f"{SUBSIDY} --trips-csv t.csv", r"row 2, column duration_min = -9\.0",
         t_csv=TRIPS.replace("3.1,9,", "3.1,-9,")),
    case("late-start-trips-csv", f"{SUBSIDY} --trips-csv t.csv", r"row 3, column start_min = 1500\.0.*< 1440",
         t_csv=TRIPS.replace("25,35,600", "25,35,1500")),
    case("price-change-drives-load-negative", "solve demand-response --data d.yaml --case price",
         r"price_change = \{.*drives the peak load below zero.*hour 7",
         d_yaml=demand(lambda r: (r["elasticity"]["peak"].__setitem__("peak", -3.0),
                                  r["price_change"].__setitem__("peak", 0.5)))),
    case("price-change-negative-tariff", "solve demand-response --data d.yaml", r"price_change\.valley = -0\.4",
         d_yaml=demand(set_in("price_change.valley", -0.4))),
    case("weights-not-summing-to-one", "allocate --data g.yaml --method modified-shapley",
         r"correction\.weights = \[0\.5, 0\.5, 0\.5\]: weights must sum to 1",
         g_yaml=GAME.replace("comparisons: [[1, 2, 2], [0.5, 1, 1], [0.5, 1, 1]]", "weights: [0.5, 0.5, 0.5]")),
    case("weights-holding-nan", "allocate --data g.yaml --method modified-shapley", r"correction\.weights\[1\] = nan",
         g_yaml=GAME.replace("comparisons: [[1, 2, 2], [0.5, 1, 1], [0.5, 1, 1]]", "weights: [0.5, .nan, 0.5]")),
    case("station-weights-not-summing-to-one", "solve station-alliance --data s.yaml",
         r"allocation\.weights = \[0\.5, 0\.6\]: weights must sum to 1",
         s_yaml=STATIONS_WEIGHTED.replace("weights: [0.5, 0.5]", "weights: [0.5, 0.6]")),
    case("negative-contribution", "solve demand-response --contribution -1 2", r"--contribution = -1\.0: must not be"),
    case("interest-rate-zero", "solve subsidy-pricing --trips 20 --param interest_rate=0",
         r"interest_rate = 0\.0: must be positive"),
    case("vehicle-life-zero", "solve subsidy-pricing --trips 20 --param vehicle_life=0",
         r"vehicle_life = 0\.0: must be positive"),
    case("in-use-share-above-one", "solve subsidy-pricing --trips 20 --param in_use_share=1.5",
         r"in_use_share = 1\.5: must lie in \[0, 1\]"),
    case("subsidy-cap-above-one", "study subsidy-pricing --out o --trips 20 --param vehicle_subsidy_max=1.2",
         r"vehicle_subsidy_max = 1\.2: must lie in \[0, 1\]"),
    case("negative-fleet", "solve subsidy-pricing --trips 20 --param base_fleet=-3",
         r"base_fleet = -3\.0: must not be negative"),
    case("subsidy-below-zero", "solve subsidy-pricing --trips 20 --fixed-subsidy=-0.1,0.2",
         r"--fixed-subsidy Sc1 = -0\.1: must lie in \[0, 0\.5\]"),
    case("subsidy-above-cap", "solve subsidy-pricing --trips 20 --fixed-subsidy 0.2,0.4 --method milp",
         r"--fixed-subsidy Sc2 = 0\.4: must lie in \[0, 0\.3\].*infrastructure_subsidy_max"),
    case("subsidy-above-lowered-cap", f"{SUBSIDY20} 0.3,0.1 --param vehicle_subsidy_max=0.2",
         r"--fixed-subsidy Sc1 = 0\.3: must lie in \[0, 0\.2\]"),
    case("trips-negative", "solve subsidy-pricing --trips -5", r"--trips = -5: must be at least 1"),
    case("trips-zero", "study subsidy-pricing --out o --trips 0", r"--trips = 0: must be at least 1"),
    case("seed-negative", "solve subsidy-pricing --trips 20 --seed -1", r"--seed = -1: must be at least 0"),
    case("seed-negative-segment", "segment --seed -1", r"--seed = -1: must be at least 0"),
    case("k-zero", "segment --k 0", r"--k = 0: must be at least 1"),
    case("k-above-respondents", "segment --data s.csv --k 7", r"k = 7: must be at most 6", s_csv=SURVEY),
    case("workers-zero", "solve station-alliance --workers 0", r"--workers = 0: must be at least 1"),
    case("points-zero", "study subsidy-pricing --out o --trips 20 --points 0", r"--points = 0: must be at least 2"),
    case("points-one", "study subsidy-pricing --out o --trips 20 --points 1", r"--points = 1: must be at least 2"),
    case("points-negative", "study subsidy-pricing --out o --points -3", r"--points = -3: must be at least 2"),
]

# ------------------------------------------------------------------------------------------------- size

SIZE = [
    case("city-40-stations", "solve station-alliance --data c.yaml",
         r"stations = 40: .*2\^40.*at most 25 stations.*sampl", c_yaml=city(40)),
    case("city-26-stations", "solve station-alliance --data c.yaml --workers 2",
         r"stations = 26: .*at most 25.*sampled_shapley", c_yaml=city(26)),
    case("game-40-players", "allocate --data g.yaml --method shapley", r"players = 40: .*at most 25.*shapley_sampled",
         g_yaml=game(40)),
    case("game-26-players-nucleolus", "allocate --data g.yaml --method nucleolus", r"players = 26: .*at most 25",
         g_yaml=game(26)),
    case("trips-a-billion", "solve subsidy-pricing --trips 1000000000",
         r"--trips = 1000000000: must be at most 1,000,000"),
]

# ---------------------------------------------------------------------------------------------- options

OPTIONS = [
    case("case-for-bargaining", "solve bargaining --case price", r"--case = 'price': solve bargaining does not use"),
    case("case-default-value-for-bargaining", "solve bargaining --case both", r"--case = 'both'.*demand-response"),
    case("plot-for-bargaining", "solve bargaining --plot figs", r"--plot = 'figs'.*applies to demand-response"),
    case("trips-for-bargaining", "solve bargaining --trips 10", r"--trips = 10: solve bargaining does not use"),
    case("method-for-satisfaction", "solve satisfaction --method pso", r"--method = 'pso'.*subsidy-pricing"),
    case("param-for-satisfaction", "solve satisfaction --param base_fleet=5", r"--param = \['base_fleet=5'\]"),
    case("rounded-crf-for-stations", "solve station-alliance --rounded-crf", r"--rounded-crf = True.*does not use"),
    case("contribution-for-stations", "solve station-alliance --contribution 0.5 0.5",
         r"--contribution = \[0\.5, 0\.5\]"),
    case("workers-for-demand", "solve demand-response --workers 2", r"--workers = 2: solve demand-response does not"),
    case("relax-for-bargaining", "solve bargaining --relax", r"--relax = True.*station-alliance"),
    case("relax-for-subsidy", "solve subsidy-pricing --relax --trips 20", r"--relax = True.*station-alliance"),
    case("solver-for-exact-subsidy", "solve subsidy-pricing --trips 20 --solver highs",
         r"--solver = 'highs': solve subsidy-pricing does not use.*milp or expected"),
    case("config-for-exact-subsidy", "solve subsidy-pricing --trips 20 --fixed-subsidy 0.1,0.1 --config s.toml",
         r"--config = 's\.toml'.*does not use", s_toml='[solver]\nname = "highs"\n'),
    case("solver-for-pso-subsidy", "solve subsidy-pricing --trips 20 --method pso --solver ipopt",
         r"--solver = 'ipopt': solve subsidy-pricing --method pso does not use"),
    case("upper-with-fixed-subsidy", "solve subsidy-pricing --trips 20 --fixed-subsidy 0.1,0.1 --upper grid",
         r"--upper = 'grid'.*without --fixed-subsidy"),
    case("upper-for-pso", "solve subsidy-pricing --trips 20 --method pso --upper grid",
         r"--upper = 'grid'.*--method pso"),
    case("trips-with-trips-csv", f"{SUBSIDY} --trips-csv t.csv --trips 20",
         r"--trips = 20: .*without --trips-csv", t_csv=TRIPS),
    case("seed-with-trips-csv-study", "study subsidy-pricing --out o --trips-csv t.csv --seed 3",
         r"--seed = 3: study subsidy-pricing does not use", t_csv=TRIPS),
    case("param-twice", "solve subsidy-pricing --trips 20 --param base_fleet=5 --param base_fleet=6",
         r"--param = 'base_fleet=6': base_fleet is set twice"),
    case("param-without-value", "solve subsidy-pricing --trips 20 --param base_fleet",
         r"--param = 'base_fleet': use NAME=VALUE"),
    case("param-unknown", "solve subsidy-pricing --trips 20 --param fleet=5", r"param fleet = '5': unknown parameter"),
    case("milp-without-fixed-subsidy", "solve subsidy-pricing --trips 20 --method milp",
         r"--method = 'milp'.*--fixed-subsidy"),
    case("fixed-subsidy-one-number", "solve subsidy-pricing --trips 20 --fixed-subsidy 0.1",
         r"--fixed-subsidy = '0\.1': use SC1,SC2"),
    case("unknown-solver", "solve bargaining --solver nonsense",
         r"--solver = 'nonsense': unknown solver, not available here; use ipopt, highs, pso"),
    case("unknown-solver-stations", "solve station-alliance --solver glpkk", r"--solver = 'glpkk': unknown solver"),
    case("unknown-solver-in-config", "solve demand-response --config s.toml",
         r"solver\.name in s\.toml = 'cplexx': unknown solver", s_toml='[solver]\nname = "cplexx"\n'),
    case("nlp-solver-for-milp-stations", "solve station-alliance --solver ipopt", r"Ipopt is a continuous NLP.*MILP"),
    case("empty-paper", "reproduce --paper=", r"paper = '': not covered yet"),
    case("empty-solver-name", "solve satisfaction --solver=", r"--solver = '': give a solver name"),
    case("verify-data-without-model", "verify --data b.yaml", r"--data = 'b\.yaml': name the model", b_yaml=BARGAINING),
    case("unknown-paper", "reproduce --paper 999", r"999.*not covered"),
    case("unknown-method-argparse", "allocate --data g.yaml --method fair",
         r"argument --method: invalid choice: 'fair'",
         g_yaml=GAME),
    case("unknown-model-argparse", "solve bargain", r"argument model: invalid choice: 'bargain'"),
    case("text-for-count-argparse", "study subsidy-pricing --out o --points many", r"argument --points: invalid int"),
]

# ----------------------------------------------------------------------------------------- output paths

OUTPUT = [
    case("plot-existing-file", "solve demand-response --plot f.txt", r"--plot = 'f\.txt': names an existing file",
         f_txt="x"),
    case("plot-under-a-file", "solve demand-response --plot f.txt/figs", r"--plot = 'f\.txt/figs': cannot be created",
         f_txt="x"),
    case("plot-unwritable", "segment --plot /proc/evgames-figs", r"--plot = '/proc/evgames-figs': cannot be written"),
    case("segment-plot-existing-file", "segment --plot f.txt", r"--plot = 'f\.txt': names an existing file", f_txt="x"),
    case("out-existing-file", "study subsidy-pricing --out f.txt --trips 20",
         r"--out = 'f\.txt': names an existing file",
         f_txt="x"),
    case("out-under-a-file", "study subsidy-pricing --out f.txt/o --trips 20", r"--out = 'f\.txt/o': cannot be created",
         f_txt="x"),
    case("out-unwritable", "study subsidy-pricing --out /proc/evgames-out --trips 20", r"--out = '/proc/evgames-out'"),
]

# ----------------------------------------------------------------------- borderline inputs that are valid

VALID = [
    case("anchors-and-merge-keys", "allocate --data g.yaml --method modified-shapley",
         r"modified-shapley allocation", 0,
         g_yaml=GAME.replace("scores: {grid: [60, 0.48, 0.50], operator: [40, 0.42, 0.41]",
                             "scores: {grid: &row [60, 0.48, 0.50], operator: *row")),
    case("merge-key-override", "solve bargaining --data b.yaml", r"optimal", 0,
         b_yaml="total_benefit: 1000\nnegotiation_cost: 100\nplayers:\n"
         "  - &a {name: A, cost: 100, standalone: 180, power: 0.5}\n"
         "  - {<<: *a, name: B, cost: 80, standalone: 130}\n"),
    case("quoted-numbers", "solve bargaining --data b.yaml", r"optimal", 0,
         b_yaml=BARGAINING.replace("total_benefit: 1000", 'total_benefit: "1000"')),
    case("subsidies-at-caps-trips-csv", f"solve subsidy-pricing --trips-csv t.csv --fixed-subsidy 0.5,0.3 {ONE_CAR}",
         r"Sc1 = 0\.5000, Sc2 = 0\.3000", 0, t_csv=TRIPS),
    case("share-at-one", f"{SUBSIDY_SMALL} 0,0 --param in_use_share=1", r"fixed subsidies", 0),
    case("survey-with-spaces", "segment --data s.csv --k 2", r"k = 2 \(given\)", 0,
         s_csv=SURVEY.replace(",", ", ")),
    case("identical-respondents", "segment --data s.csv", r"k = 1 \(elbow", 0, s_csv="a,b\n" + "0.5,0.2\n" * 5),
    case("one-player-game", "allocate --data g.yaml --method shapley",
         r"A\s+5", 0, g_yaml="players: [A]\nvalues: {A: 5}\n"),
    case("plot-into-new-nested-folder", "solve demand-response --case price --plot new/figs",
         r"wrote new/figs/load_price\.png", 0),
    case("weights-summing-to-one", "solve station-alliance --data s.yaml",
         r"modified_shapley", 0, s_yaml=STATIONS_WEIGHTED),
]

# fmt: on

CATALOGUE = {
    "files": FILES,
    "types": TYPES,
    "ranges": RANGES,
    "size": SIZE,
    "options": OPTIONS,
    "output paths": OUTPUT,
    "valid": VALID,
}
CASES = [row for rows in CATALOGUE.values() for row in rows]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Write every case's files into its own folder and run the whole catalogue in one driver process."""
    if not hasattr(os, "fork"):
        pytest.skip("the driver forks one child per case (POSIX only)")
    root = tmp_path_factory.mktemp("bad_input")
    plan = []
    for row in CASES:
        folder = root / row.id
        folder.mkdir()
        for name, content in row.files.items():
            path = folder / name
            path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
        plan.append({"id": row.id, "argv": list(row.argv), "cwd": str(folder)})
    source, target = root / "cases.json", root / "results.json"
    source.write_text(json.dumps(plan))
    subprocess.run([sys.executable, str(DRIVER), str(source), str(target)], check=True, timeout=900)
    return json.loads(target.read_text())


def test_catalogue_covers_every_class():
    assert len({row.id for row in CASES}) == len(CASES)
    assert {name: len(rows) >= 4 for name, rows in CATALOGUE.items()} == dict.fromkeys(CATALOGUE, True)
    assert len(CASES) - len(VALID) >= 60


@pytest.mark.parametrize("row", CASES, ids=[row.id for row in CASES])
def test_case(results, row):
    found = results[row.id]
    assert found["code"] is not None, f"timed out: {row.argv}"
    err = found["stderr"].strip()
    assert "Traceback" not in found["stderr"], found["stderr"]
    assert found["code"] == row.code, (found["code"], err, found["stdout"][-500:])
    if row.code == 0:
        assert re.search(row.expect, found["stdout"], re.IGNORECASE), found["stdout"]
        assert "Warning" not in found["stderr"], found["stderr"]
        return
    assert found["stdout"] == ""
    assert len(err.splitlines()) == 1, err
    assert re.match(r"evgames( \w+)?: error: ", err), err
    assert re.search(row.expect, err, re.IGNORECASE), err


def test_the_module_entry_point_exits_2_with_one_line(tmp_path):
    """``python -m evgames.cli`` itself, without the driver: a bad input is one line and status 2."""
    (tmp_path / "b.yaml").write_text(BARGAINING.replace("cost: 100,", "cost: true,"))
    done = subprocess.run(
        [sys.executable, "-m", "evgames.cli", "solve", "bargaining", "--data", "b.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    expected = "evgames: error: players[0].cost = True: must be a number, not true/false"
    assert done.stderr.strip().splitlines() == [expected]


def test_callable_game_checks_the_cap_before_tabulating():
    """A 40-player game from a callable is refused at once, not after 2^40 evaluations."""
    from evgames.data.validation import DataError
    from evgames.games import TUGame

    calls = []
    with pytest.raises(DataError, match=r"players = 40: .*at most 25.*shapley_sampled"):
        TUGame.from_callable([f"P{i}" for i in range(40)], lambda members: calls.append(members) or 0.0)
    assert calls == []
