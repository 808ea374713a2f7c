"""All coalitions of the 10-station, 24-period synthetic city: persistent re-solves vs a naive loop.

The naive loop builds a Pyomo model for each coalition and solves it through the solver layer
(appsi_highs); the persistent route compiles the grand model once and re-solves each coalition with
variables bounded in place. Both are timed on the same sample of coalitions in this run; the full
sweep of 1,023 coalitions then runs with the requested worker processes. Target (issue 4): all
coalitions in under 60 s on 2 cores.

Usage: python benchmarks/bench_station_alliance.py [--stations 10] [--sample 40] [--workers 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from evgames.data.synthetic import synthetic_city
from evgames.models import station_alliance as sa
from evgames.solvers import solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--periods", type=int, default=24)
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
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

    start = time.perf_counter()
    values = sa.coalition_values(data, workers=args.workers, progress=True)
    total = time.perf_counter() - start
    print(
        f"all {len(values)} coalitions with {args.workers} worker(s): {total:.1f} s "
        f"(naive estimate: {naive_time * len(values):.1f} s on one core)"
    )


if __name__ == "__main__":
    main()
