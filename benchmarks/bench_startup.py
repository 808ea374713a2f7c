"""Start-up: how long the command line and light imports take, against the bare interpreter and the solver stack.

Every row is the median of several runs of a fresh interpreter, measured in this run. The baselines are
``python -c pass`` (what no program can beat) and importing the solver stack (Pyomo, CasADi, cyipopt,
highspy: what a solve must pay once). Target (issue #12): ``evgames --help`` and ``evgames params
subsidy-pricing`` well under a second on a 2-core machine, i.e. far below the solver stack.

``--test-suite`` (issue #15; minutes, run it on a quiet machine): instead, time ``python -m pytest -q`` once
(the full suite; bar < 5 min) and ``python -m pytest -q -m "not slow"`` once (the candidate fast tier; goal
< 60 s), each in a fresh interpreter from the repository root, against ``pytest --collect-only`` (collection
alone) in the same run; a run past ``--timeout`` seconds (default 900) is stopped and reported as such.
Failures do not stop the timing: the exit code is printed.

Usage: python benchmarks/bench_startup.py [--repeat 5]
       python benchmarks/bench_startup.py --test-suite [--timeout 900]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tqdm.auto import tqdm  # progress on stderr; the figures go to stdout

ROOT = Path(__file__).resolve().parent.parent

ROWS = {
    "python -c pass (baseline)": ["-c", "pass"],
    "import the solver stack (baseline)": ["-c", "import pyomo.environ, casadi, cyipopt, highspy"],
    "import evgames": ["-c", "import evgames"],
    "import evgames.data, evgames.games": ["-c", "import evgames.data, evgames.games"],
    "evgames --help": ["-m", "evgames.cli", "--help"],
    "evgames params subsidy-pricing": ["-m", "evgames.cli", "params", "subsidy-pricing"],
    "evgames solve bargaining (a whole solve)": ["-m", "evgames.cli", "solve", "bargaining"],
}


def seconds(argv: list[str], repeat: int) -> float:
    """Median wall time of ``python argv`` over ``repeat`` fresh interpreters."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, *argv], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pytest_seconds(arguments: list[str], timeout: float) -> tuple[float | None, int | None]:
    """Wall time and exit code of one ``python -m pytest`` run from the repository root; None past ``timeout``."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
            cwd=ROOT,
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None, None
    return time.perf_counter() - start, done.returncode


def time_test_suite(timeout: float) -> None:
    """The issue #15 row: the full suite (bar < 5 min) and the not-slow tier (goal < 60 s)."""
    rows = {
        "pytest --collect-only (baseline)": (["--collect-only"], None),
        "python -m pytest (full suite)": ([], 300.0),
        'python -m pytest -m "not slow"': (["-m", "not slow"], 60.0),
    }
    collect = None
    print(f"{'':34s} {'seconds':>8s} {'exit':>5s} {'/ collect':>10s} {'/ target':>9s}")
    for name, (arguments, target) in rows.items():
        seconds_taken, code = pytest_seconds(arguments, timeout)
        if seconds_taken is None:
            print(f"{name:34s} {'>' + format(timeout, '.0f'):>8s} {'-':>5s}  stopped at the timeout")
            continue
        collect = collect or seconds_taken
        versus = f"{seconds_taken / target:9.2f}" if target else f"{'-':>9s}"
        print(f"{name:34s} {seconds_taken:8.1f} {code:>5d} {seconds_taken / collect:10.1f} {versus}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--test-suite", action="store_true", help="time the test suite instead (minutes)")
    parser.add_argument("--timeout", type=float, default=900.0, help="stop a test-suite run after this many s")
    args = parser.parse_args()
    if args.test_suite:
        time_test_suite(args.timeout)
        return
    measured = {name: seconds(argv, args.repeat) for name, argv in tqdm(ROWS.items(), desc="rows", leave=False)}
    bare = measured["python -c pass (baseline)"]
    stack = measured["import the solver stack (baseline)"]
    print(f"{'':42s} {'seconds':>8s} {'x bare python':>14s} {'/ solver stack':>15s}")
    for name, value in measured.items():
        print(f"{name:42s} {value:8.3f} {value / bare:14.1f} {value / stack:15.2f}")


if __name__ == "__main__":
    main()
