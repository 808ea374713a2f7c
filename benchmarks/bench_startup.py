"""Start-up: how long the command line and light imports take, against the bare interpreter and the solver stack.

Every row is the median of several runs of a fresh interpreter, measured in this run. The baselines are
``python -c pass`` (what no program can beat) and importing the solver stack (Pyomo, CasADi, cyipopt,
highspy: what a solve must pay once). Target (issue #12): ``evgames --help`` and ``evgames params
subsidy-pricing`` well under a second on a 2-core machine, i.e. far below the solver stack.

Usage: python benchmarks/bench_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    measured = {name: seconds(argv, args.repeat) for name, argv in ROWS.items()}
    bare = measured["python -c pass (baseline)"]
    stack = measured["import the solver stack (baseline)"]
    print(f"{'':42s} {'seconds':>8s} {'x bare python':>14s} {'/ solver stack':>15s}")
    for name, value in measured.items():
        print(f"{name:42s} {value:8.3f} {value / bare:14.1f} {value / stack:15.2f}")


if __name__ == "__main__":
    main()
