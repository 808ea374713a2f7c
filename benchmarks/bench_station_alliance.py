"""All coalitions of the 10-station, 24-period synthetic city: persistent re-solves vs a naive loop.

The naive loop builds a Pyomo model for each coalition and solves it through the solver layer
(appsi_highs); the persistent route compiles the grand model once and re-solves each coalition with
variables bounded in place. Both are timed on the same sample of coalitions in this run; the full
sweep of 2^stations - 1 coalitions then runs with the requested worker processes.

Targets (issue #15): 10 stations (1,023 MILPs) on 2 workers under 10 s (goal 5 s) — the default run, a minute or
two; ``--stations 15`` (32,767 MILPs) under 5 min on 2 cores (goal 2 min) — about 6 to 7 minutes today
(use ``--sample 10``: the naive loop is slow at 15 stations); ``--timeout`` stops the sweep and reports it
as over. "/bar" is the
sweep's time over its bar.

Usage: python benchmarks/bench_station_alliance.py [--stations 10] [--sample 40] [--workers 2] [--timeout 1800]
"""

from __future__ import annotations

import argparse
import signal
import time

import numpy as np

from evgames.data.synthetic import synthetic_city
from evgames.models import station_alliance as sa
from evgames.solvers import solve

#: Issue #15's bars for the whole sweep on 2 workers, in seconds, by number of stations.
BARS = {10: 10.0, 15: 300.0}


def _over(_signal: int, _frame: object) -> None:
    raise TimeoutError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--periods", type=int, default=24)
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800.0, help="stop the full sweep after this many s")
    args = parser.parse_args()

    data = synthetic_city(args.stations, args.periods, seed=0)
    rng = np.random.default_rng(0)
    masks = rng.choice(np.arange(1, 1 << args.stations), size=args.sample, replace=False)
    coalitions = [[n for i, n in enumerate(data.names) if mask >> i & 1] for mask in masks]

    start = time.perf_counter()
    naive = [solve(sa.build_model(data, members), "highs").objective for members in coalitions]
    naive_time = (time.perf_counter() - start) / len(coalitions)

    start = time.perf_counter()
    persistent_solver = sa.CoalitionSolver(data)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    persistent = [persistent_solver.value(members) for members in coalitions]
    persistent_time = (time.perf_counter() - start) / len(coalitions)
    assert np.allclose(naive, persistent), "the two routes disagree"

    print(f"{args.stations} stations x {args.periods} periods; {len(coalitions)} sampled coalitions")
    print(f"naive rebuild + solve   {naive_time * 1000:8.2f} ms per coalition")
    print(f"persistent re-solve     {persistent_time * 1000:8.2f} ms per coalition (+{setup:.2f} s set-up once)")
    print(f"ratio persistent/naive  {persistent_time / naive_time:8.3f}")

    count = (1 << args.stations) - 1
    signal.signal(signal.SIGALRM, _over)
    signal.setitimer(signal.ITIMER_REAL, args.timeout)
    start = time.perf_counter()
    try:
        values = sa.coalition_values(data, workers=args.workers, progress=True)
    except TimeoutError:
        print(f"all {count} coalitions with {args.workers} worker(s): stopped at {args.timeout:.0f} s")
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    total = time.perf_counter() - start
    bar = BARS.get(args.stations)
    versus = f", /bar ({bar:.0f} s) {total / bar:.2f}" if bar else ""
    print(
        f"all {len(values)} coalitions with {args.workers} worker(s): {total:.1f} s "
        f"(naive estimate: {naive_time * len(values):.1f} s on one core; "
        f"sweep/naive estimate {total / (naive_time * len(values)):.3f}){versus}"
    )


if __name__ == "__main__":
    main()
