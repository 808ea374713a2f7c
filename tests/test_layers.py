"""The architecture holds: the import layers, no import circles, and no solver stack loaded until needed."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLVER_STACK = ("pyomo", "casadi", "cyipopt", "highspy")


def test_import_contracts_are_kept():
    # import-linter reads its contracts from pyproject.toml: the layers and the acyclic packages
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


@pytest.mark.parametrize(
    "statement",
    [
        "import evgames",
        "import evgames.data",
        "import evgames.games",
        "from evgames.games import TUGame, shapley",
        "from evgames.solvers import SolverConfig, SolveResult, SolverError",
        "import evgames.api",
        "import evgames.cli; evgames.cli._parser()",
    ],
)
def test_no_solver_stack_is_imported_until_a_solve_needs_it(statement):
    probe = f"import sys; {statement}; print(','.join(m for m in {SOLVER_STACK!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"{statement} imported {done.stdout.strip()}"


def test_the_solver_stack_arrives_when_a_solve_needs_it():
    probe = "import sys; from evgames.solvers import solve; print('pyomo' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True"
