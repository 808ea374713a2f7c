"""``evgames allocate`` on the classic game forms, cost games and the methods added by issue #14."""

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from evgames.allocation import METHODS, allocate
from evgames.data import DataError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GAME = EXAMPLES / "game.yaml"


def run_cli(*argv, cwd=None):
    """``python -m evgames.cli ARGV`` as a child process: (status, stdout, stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "evgames.cli", *argv], capture_output=True, text=True, timeout=120, cwd=cwd
    )
    return done.returncode, done.stdout, done.stderr


def test_security_council_in_two_lines_of_yaml():
    lines = [line for line in (EXAMPLES / "security_council.yaml").read_text().splitlines() if not line.startswith("#")]
    assert len(lines) == 2
    code, out, _ = run_cli(
        "allocate", "--data", str(EXAMPLES / "security_council.yaml"), "--method", "shapley", "--json"
    )
    record = json.loads(out)
    assert code == 0 and record["method"] == "shapley" and record["checks"]["efficient"] is True
    # Shapley–Shubik index of the Council: 421/2145 per permanent member, 4/2145 per elected one
    shares = record["allocation"]
    assert [shares[name] for name in ("US", "UK", "FR", "RU", "CN")] == pytest.approx([float(Fraction(421, 2145))] * 5)
    assert [shares[name] for name in "ABCDEFGHIJ"] == pytest.approx([float(Fraction(4, 2145))] * 10)


def test_two_game_forms_are_one_line_on_stderr(tmp_path):
    (tmp_path / "g.yaml").write_text("players: [A, B]\nvalues: {A: 1, B: 1, 'A,B': 3}\nairport: {costs: [1, 2]}\n")
    code, out, err = run_cli("allocate", "--data", "g.yaml", "--method", "shapley", cwd=tmp_path)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "give exactly one of values, weighted_voting" in err and "found values and airport" in err


def test_new_methods_are_choices_and_keep_the_report_keys():
    assert {"normalised-banzhaf", "prenucleolus", "core-point", "least-core"} <= set(METHODS)
    for method in ("normalised-banzhaf", "prenucleolus", "core-point", "least-core"):
        record = allocate(GAME, method).to_dict()
        assert record["method"] == method and set(record["allocation"]) == {"grid", "operator", "property"}
        assert record["checks"] == {"efficient": True, "individually_rational": True, "in_core": True}
    assert allocate(GAME, "normalised-banzhaf").allocation.sum() == pytest.approx(69)
    # seed 004's game has a non-empty core, so the prenucleolus is its nucleolus (34.25, 24.25, 10.5)
    prenucleolus = allocate(GAME, "prenucleolus")
    assert prenucleolus.allocation.to_dict() == pytest.approx({"grid": 34.25, "operator": 24.25, "property": 10.5})
    assert set(prenucleolus.details) == {"levels", "lp_solves"}
    least_core = allocate(GAME, "least-core").to_dict()
    assert least_core["details"]["epsilon"] < 0


def test_core_point_of_an_empty_core_is_an_error():
    majority = {"players": ["A", "B", "C"], "majority": {"quota": 2}}
    with pytest.raises(DataError, match=r"method = 'core-point': the core is empty \(least core ε = 0\.333333 > 0\)"):
        allocate(majority, "core-point")


def test_allocate_a_cost_game():
    # Airport costs 1, 2, 3: Shapley (1/3, 5/6, 11/6) and nucleolus (1/2, 3/4, 7/4) are cost shares in the core
    airport = {"players": ["A", "B", "C"], "airport": {"costs": [1, 2, 3]}}
    for method, expected in (("shapley", [1 / 3, 5 / 6, 11 / 6]), ("nucleolus", [0.5, 0.75, 1.75])):
        report = allocate(airport, method)
        assert report.allocation.to_numpy() == pytest.approx(expected, abs=1e-9)
        assert report.checks == {"efficient": True, "individually_rational": True, "in_core": True}
    least_core = allocate(airport, "least-core")
    assert least_core.details["epsilon"] == pytest.approx(-0.5)
    listed = {"players": ["A", "B"], "values": {"A": 4, "B": 5, "A,B": 6}, "kind": "cost"}
    assert allocate(listed, "nucleolus").allocation.to_numpy() == pytest.approx([2.5, 3.5])
