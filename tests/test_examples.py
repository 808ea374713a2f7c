"""Every script in ``examples/`` runs as a user would run it and asserts its own numbers (exit status 0)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))

#: One script per model family and one for the classic TU games, as the README's Examples section lists.
FAMILIES = {"bargaining", "satisfaction", "station_alliance", "demand_response", "subsidy_pricing", "games"}

#: Each takes a few seconds on two cores; a generous limit still catches a hang.
TIMEOUT = 180


def test_there_is_an_example_per_family():
    assert {script.stem for script in SCRIPTS} >= FAMILIES


#: Examples that solve a model family take seconds each: in the full suite, not in the fast tier.
FAST_EXAMPLES = {"games"}


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(script, id=script.stem, marks=[] if script.stem in FAST_EXAMPLES else [pytest.mark.slow])
        for script in SCRIPTS
    ],
)
def test_example_runs_and_passes_its_checks(script, tmp_path):
    # run from an empty folder: an example may only use files next to it (found from __file__)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "all checks passed" in done.stdout


def test_the_readme_names_every_example_and_only_files_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"(?:examples|src/evgames/data/cases)/[\w.-]+\.\w+", readme))
    assert {f"examples/{script.name}" for script in SCRIPTS} <= named
    assert [path for path in sorted(named) if not (ROOT / path).exists()] == []
