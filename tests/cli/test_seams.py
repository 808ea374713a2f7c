"""The CLI as users script it: a subprocess whose whole stdout is parsed, exit codes, Ctrl-C, no debris.

``capsys`` cannot see what a C library writes on file descriptor 1 (HiGHS's banner), so every test
here runs ``python -m evgames.cli`` in a child process and reads its stdout whole.
"""

import json
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: Every ``evgames ... --json`` line of the README's shell blocks, comments cut.
README_JSON_COMMANDS = [
    shlex.split(line.split("#")[0])[1:]
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    for line in block.splitlines()
    if line.startswith("evgames ") and "--json" in line.split("#")[0]
]

#: The commands the issue names beside the README's: each touches HiGHS.
HIGHS_JSON_COMMANDS = [
    ["allocate", "--data", "examples/game.yaml", "--method", "nucleolus", "--json"],
    ["allocate", "--data", "examples/game.yaml", "--method", "least-core", "--json"],
    ["solve", "station-alliance", "--json"],
    ["solve", "demand-response", "--json"],
    ["reproduce", "--json"],
]

SMALL_STUDY = [
    *("--param", "base_fleet=10", "--param", "usage_fleet_response=0.1", "--param", "subsidy_fleet_response=5"),
    *("--param", "operating_cost=60", "--param", "vehicle_cost=60000", "--param", "parking_cost=500"),
    *("--trips", "150", "--seed", "3", "--points", "3"),
]


def evgames(*argv: str, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "evgames.cli", *argv], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def message_lines(stderr: str) -> list[str]:
    """What stderr says besides progress bars (tqdm's lines hold ``%|``)."""
    return [line for line in stderr.strip().splitlines() if "%|" not in line]


def _in_tmp(argv: list[str], tmp_path: Path) -> list[str]:
    """Output folders of README commands (``figures/``, ``studies/``) redirected into ``tmp_path``."""
    return [str(tmp_path / arg) if arg.endswith("/") and not (ROOT / arg).exists() else arg for arg in argv]


def test_the_readme_has_json_commands():
    assert len(README_JSON_COMMANDS) >= 5


#: Commands that solve whole families or papers (seconds each): in the full suite, not in the fast tier.
SLOW_COMMANDS = {"verify", "reproduce", "segment", "study", "report"}
SLOW_FAMILIES = {"subsidy-pricing", "station-alliance", "demand-response"}


def _json_case(argv: list[str]):
    slow = argv[0] in SLOW_COMMANDS or (argv[0] == "solve" and argv[1] in SLOW_FAMILIES)
    return pytest.param(argv, id=" ".join(argv[:3]), marks=[pytest.mark.slow] if slow else [])


@pytest.mark.parametrize("argv", [_json_case(argv) for argv in README_JSON_COMMANDS + HIGHS_JSON_COMMANDS])
def test_json_commands_print_one_json_object_and_nothing_else(argv, tmp_path):
    done = evgames(*_in_tmp(argv, tmp_path))
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)  # the whole stdout: a banner or a log line before it fails here
    assert isinstance(record, dict) and record


def test_a_swarm_is_reported_converged_not_optimal():
    done = evgames("solve", "bargaining", "--solver", "pso", "--json")
    record = json.loads(done.stdout)
    assert done.returncode == 0 and record["status"] == "converged"


def test_study_refuses_an_occupied_folder_and_leaves_it_untouched(tmp_path):
    out = tmp_path / "studies"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    done = evgames("study", "subsidy-pricing", "--out", str(out), *SMALL_STUDY)
    assert done.returncode == 2 and "--out" in done.stderr and "--force" in done.stderr
    assert len(message_lines(done.stderr)) == 1
    assert [path.name for path in out.iterdir()] == ["mine.txt"]


@pytest.mark.slow
def test_study_writes_its_folder_whole_and_force_replaces_it(tmp_path):
    out = tmp_path / "studies"
    first = evgames("study", "subsidy-pricing", "--out", str(out), *SMALL_STUDY)
    assert first.returncode == 0, first.stderr
    written = {path.name for path in out.iterdir()}
    assert {"scenarios.csv", "prices_perturbed.csv", "subsidies_perturbed.csv", "sweeps.csv"} <= written
    assert len([name for name in written if name.endswith(".png")]) == 4
    (out / "stale.txt").write_text("from an older run")
    again = evgames("study", "subsidy-pricing", "--out", str(out), "--force", *SMALL_STUDY)
    assert again.returncode == 0, again.stderr
    assert {path.name for path in out.iterdir()} == written  # replaced, not mixed
    assert [path.name for path in tmp_path.iterdir()] == ["studies"]  # no staging folder left


def test_a_failing_study_leaves_nothing_behind(tmp_path):
    out = tmp_path / "studies"
    # 200 trips cannot pay for the default fleet: the operator never breaks even, found after the start
    done = evgames("study", "subsidy-pricing", "--out", str(out), "--trips", "200", "--points", "3")
    assert done.returncode == 2 and len(message_lines(done.stderr)) == 1 and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line_and_no_debris(tmp_path):
    out = tmp_path / "studies"
    child = subprocess.Popen(
        [sys.executable, "-m", "evgames.cli", "study", "subsidy-pricing", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while child.poll() is None and not any(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)  # until the staging folder appears: the work has begun
    assert child.poll() is None, f"the study ended before it could be interrupted: {child.communicate()[1][-500:]}"
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 130
    assert "Traceback" not in err and message_lines(err) == ["evgames: interrupted"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_verify_all_gives_verdicts_for_every_family():
    done = evgames("verify", "--all", "--json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    checks = record["verdicts"]["checks"]
    assert {check["model"] for check in checks} == {
        "bargaining",
        "satisfaction",
        "station-alliance",
        "demand-response",
        "subsidy-pricing",
    }
    by_verdict = {}
    for check in checks:
        by_verdict.setdefault(check["verdict"], []).append((check["model"], check["check"]))
    # every second route agrees; the only differences are seed 000's eq. (17), which is not the optimum of (15)-(16)
    assert {model for model, _ in by_verdict.get("differs", [])} == {"satisfaction"}
    assert all("eq. (17)" in name for _, name in by_verdict["differs"])
    assert not by_verdict.get("failed") and not by_verdict.get("violated")
    assert record["verdicts"]["counts"]["agree"] + record["verdicts"]["counts"]["holds"] >= 30
    assert [report["model"] for report in record["reports"]] == ["bargaining", "satisfaction"]


@pytest.mark.slow
def test_verify_one_family_takes_its_data_file(tmp_path):
    done = evgames("verify", "station-alliance", "--data", "examples/city.yaml", "--json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["reports"] == [] and {c["model"] for c in record["verdicts"]["checks"]} == {"station-alliance"}
    assert any("fresh MILP" in c["check"] or "fresh" in c["detail"] for c in record["verdicts"]["checks"])


@pytest.mark.parametrize("out", [".", pytest.param("..", marks=pytest.mark.slow)])
def test_study_never_replaces_the_working_folder_or_its_parents(tmp_path, out):
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("mine")
    done = subprocess.run(
        [sys.executable, "-m", "evgames.cli", "study", "subsidy-pricing", "--out", out, "--force", *SMALL_STUDY],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and "--out" in done.stderr and "working folder" in done.stderr
    assert (work / "keep.txt").read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["work"]
