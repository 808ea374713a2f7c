"""Coalition values of the synthetic city: the routes per coalition, the full sweep, Dask workers, and larger cities.

Per coalition, on one sample of coalitions in this run: a naive loop that builds a Pyomo model per coalition
and solves it through the solver layer; the compiled MILP re-solved in place (the route before issue #15);
and the LP relaxation proved integral (the route of the sweeps now, in Gray-code order, one station changed
per re-solve). Then the full sweep of 2^stations - 1 coalitions on ``--workers`` processes (this one counted)
and, for comparison, in this process alone.

Targets (issue #15): 10 stations (1,023 MILPs) on 2 workers under 10 s (goal 5 s) — the default run, well under
a minute; ``--stations 15`` (32,767 MILPs) under 5 min on 2 cores (goal 2 min), a minute or two (use
``--sample 10``: the naive loop is slow at 15 stations). ``--timeout`` stops the sweep and reports it as over.
"/bar" is the sweep's time over its bar.

``--dask-workers 1 2 4`` checks the time model of the README on a local Dask cluster of k worker processes:
the sweep of ``--dask-stations`` stations is predicted to take N·c / min(k, cores), with c the per-coalition
time of the same sweep in this process, and both are printed; so is the dispatch per chunk, what the one-worker
cluster takes beyond this process. ``--extrapolate 20 25`` measures c for those sizes (Gray-code runs for the
exact sweep, the coalitions of sampled orders for sampled Shapley) and prints what a cluster of ``--cluster``
workers would take, (M·c + chunks·dispatch) / k, for all M = 2^n - 1 coalitions and for the distinct
coalitions of ``--permutations`` sampled orders, with the standard error such a sample gives.

Usage: python benchmarks/bench_station_alliance.py [--stations 10] [--sample 40] [--workers 2] [--timeout 1800]
       [--dask-workers 1 2 4] [--dask-stations 12] [--extrapolate 20 25] [--permutations 1000] [--cluster 8 32 128]
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import time
from collections.abc import Callable

import numpy as np
from tqdm.auto import tqdm

from evgames.data.synthetic import synthetic_city
from evgames.games.shapley import needed_coalitions, prefix_coalitions, sampled_orders
from evgames.models import station_alliance as sa
from evgames.solvers import solve

#: Issue #15's bars for the whole sweep on 2 workers, in seconds, by number of stations.
BARS = {10: 10.0, 15: 300.0}

#: Coalitions timed per size by --extrapolate, in runs of this many consecutive Gray-code coalitions.
GRAY_RUNS, GRAY_RUN_LENGTH = 6, 100

#: Dispatch per chunk on a Dask worker, in seconds, for --extrapolate without --dask-workers (measured with it).
DISPATCH = 0.05

#: Coalitions of sampled orders timed per size by --extrapolate, and the orders of the standard-error probe.
SAMPLED_TIMED, PROBE_PERMUTATIONS = 600, 30


def _over(_signal: int, _frame: object) -> None:
    raise TimeoutError


def per_call(function: Callable[[int], object], masks: list[int], description: str) -> float:
    """Seconds per call of ``function`` over ``masks`` (progress on stderr)."""
    start = time.perf_counter()
    for mask in tqdm(masks, desc=description, unit="coalition", leave=False):
        function(mask)
    return (time.perf_counter() - start) / len(masks)


def gray_runs(stations: int, rng: np.random.Generator) -> list[int]:
    """Coalitions of two or more stations from :data:`GRAY_RUNS` runs of consecutive Gray-code coalitions."""
    total = (1 << stations) - 1
    length = min(GRAY_RUN_LENGTH, total // GRAY_RUNS)
    masks = []
    for first in rng.integers(1, total - length + 1, size=GRAY_RUNS):
        index = np.arange(first, first + length, dtype=np.int64)
        masks.extend(int(m) for m in index ^ (index >> 1) if m & (m - 1))
    return masks


def routes(stations: int, periods: int, sample: int) -> float:
    """Print the three routes' cost per coalition on one sample; return the naive cost."""
    data = synthetic_city(stations, periods, seed=0)
    rng = np.random.default_rng(0)
    masks = [int(m) for m in rng.choice(np.arange(1, 1 << stations), size=sample, replace=False)]
    names = {mask: sa._coalition_names(data.names, mask) for mask in masks}
    naive: dict[int, float] = {}

    def rebuild(mask: int) -> None:
        naive[mask] = solve(sa.build_model(data, names[mask]), "highs").objective

    naive_time = per_call(rebuild, masks, "naive rebuild")
    start = time.perf_counter()
    coalitions = sa.CoalitionSolver(data)
    setup = time.perf_counter() - start
    milp = per_call(lambda mask: coalitions.solve(names[mask]), masks, "compiled MILP")
    relaxed = per_call(lambda mask: coalitions.value(names[mask]), masks, "relaxation, random order")
    chain = gray_runs(stations, rng)
    gray = per_call(coalitions.resolver.value, chain, "relaxation, Gray-code runs")
    assert all(abs(coalitions.value(names[m]) - naive[m]) <= 1e-6 * max(1.0, abs(naive[m])) for m in masks)
    assert coalitions.resolver.milp_solves == 0, "the relaxation was not proved integral somewhere"
    print(f"{stations} stations x {periods} periods; {sample} sampled coalitions")
    print(f"naive rebuild + solve          {naive_time * 1000:8.2f} ms per coalition")
    print(f"compiled MILP re-solve         {milp * 1000:8.2f} ms per coalition (+{setup:.2f} s set-up once)")
    print(f"proved LP relaxation, random   {relaxed * 1000:8.2f} ms per coalition")
    print(f"proved LP relaxation, Gray     {gray * 1000:8.2f} ms per coalition ({len(chain)} in Gray-code runs)")
    print(f"ratio relaxation (Gray)/MILP   {gray / milp:8.3f}; /naive {gray / naive_time:.3f}")
    return naive_time


def sweep(stations: int, periods: int, workers: int, timeout: float, naive_time: float) -> None:
    """The full sweep on ``workers`` processes, and in this process alone for 12 stations or fewer."""
    data = synthetic_city(stations, periods, seed=0)
    count = (1 << stations) - 1
    signal.signal(signal.SIGALRM, _over)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        values = sa.coalition_values(data, workers=workers, progress=True)
    except TimeoutError:
        print(f"all {count} coalitions with {workers} worker(s): stopped at {timeout:.0f} s")
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    total = time.perf_counter() - start
    bar = BARS.get(stations)
    versus = f", /bar ({bar:.0f} s) {total / bar:.2f}" if bar else ""
    print(
        f"all {len(values)} coalitions with {workers} worker(s): {total:.1f} s "
        f"(naive estimate: {naive_time * len(values):.1f} s on one core; "
        f"sweep/naive estimate {total / (naive_time * len(values)):.4f}){versus}"
    )
    if stations <= 12 and workers > 1:
        start = time.perf_counter()
        alone = sa.coalition_values(data)
        serial = time.perf_counter() - start
        assert alone == values, "the sweep in this process differs from the parallel one"
        print(f"all {count} coalitions in this process alone: {serial:.1f} s (parallel/alone {total / serial:.2f})")


def chunk_count(coalitions: int) -> int:
    """Chunks a run of ``coalitions`` is cut into."""
    return -(-coalitions // sa.chunk_size(coalitions))


def dask_check(stations: int, periods: int, worker_counts: list[int]) -> float:
    """Measured vs predicted sweep time on local Dask clusters of k workers; returns the dispatch per chunk.

    The dispatch is what a one-worker cluster takes beyond this process, per chunk (see the module docstring).
    """
    import distributed

    data = synthetic_city(stations, periods, seed=0)
    start = time.perf_counter()
    reference = sa.coalition_values(data)
    serial = time.perf_counter() - start
    count = len(reference)
    cost = serial / count
    cores = os.cpu_count() or 1
    print(f"Dask check: {stations} stations, {count} coalitions; here alone {serial:.2f} s = {cost * 1e3:.2f} ms each")
    print("  k   measured   predicted N*c/min(k, cores)   measured/predicted   predicted t(1)/min(k, cores)   ratio")
    first = 0.0
    for workers in worker_counts:
        with (
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            client.run(importlib.import_module, "evgames.solvers.coalition_lp")  # a standing cluster's imports
            start = time.perf_counter()
            values = sa.coalition_values(data, executor=client)
            measured = time.perf_counter() - start
        assert values == reference, "the Dask sweep differs from the serial one"
        first = first or measured * min(workers, cores)  # the one-worker time the first run implies
        predicted = count * cost / min(workers, cores)
        scaled = first / min(workers, cores)
        print(
            f"  {workers:<3} {measured:7.2f} s   {predicted:7.2f} s                       {measured / predicted:6.2f}"
            f"               {scaled:7.2f} s                      {measured / scaled:6.2f}"
        )
    dispatch = max(0.0, (first - serial) / chunk_count(count))
    print(f"  dispatch: {dispatch * 1e3:.0f} ms per chunk ({chunk_count(count)} chunks) beyond this process's time")
    return dispatch


def cluster_time(coalitions: int, cost: float, dispatch: float, workers: int) -> float:
    """T = (M·c + chunks·dispatch) / k: the README's model of a run on k workers."""
    return (coalitions * cost + chunk_count(coalitions) * dispatch) / workers


def extrapolate(sizes: list[int], periods: int, permutations: int, cluster: list[int], dispatch: float) -> None:
    """Per-coalition cost at each size, and the time of exact and sampled Shapley on clusters of k workers."""
    rng = np.random.default_rng(1)
    for stations in sizes:
        data = synthetic_city(stations, periods, seed=0)
        start = time.perf_counter()
        coalitions = sa.CoalitionSolver(data)
        setup = time.perf_counter() - start
        exact_cost = per_call(coalitions.resolver.value, gray_runs(stations, rng), f"{stations} stations, Gray runs")
        orders = sampled_orders(stations, permutations, seed=0)
        needed = needed_coalitions(prefix_coalitions(orders))
        solved = needed[(needed & (needed - 1)) != 0]  # a station alone is a closed form
        sampled_cost = per_call(coalitions.resolver.value, solved[:SAMPLED_TIMED].tolist(), "sampled orders")
        assert coalitions.resolver.milp_solves == 0, "the relaxation was not proved integral somewhere"
        start = time.perf_counter()
        probe = sa.sampled_shapley(data, PROBE_PERMUTATIONS, seed=0)
        probe_time = time.perf_counter() - start
        # the error at m orders from the probe's, by 1/sqrt(m); against the gain of the alliance, phi_i - v({i})
        error = probe.standard_error.to_numpy() * np.sqrt(PROBE_PERMUTATIONS / permutations)
        gain = probe.value.to_numpy() - np.array([sa.standalone_value(data, name) for name in data.names])
        exact_count = (1 << stations) - 1 - stations
        print(
            f"{stations} stations: set-up {setup:.1f} s per worker; {exact_cost * 1e3:.2f} ms per coalition in "
            f"Gray-code runs, {sampled_cost * 1e3:.2f} ms along sampled orders"
        )
        print(
            f"  exact: {exact_count:,} MILPs; sampled, {permutations:,} orders: {solved.size:,} distinct MILPs, "
            f"standard errors up to ~{error.max():.1f}, {error.max() / np.abs(gain).max():.1%} of the largest gain "
            f"phi_i - v(i) (scaled from {PROBE_PERMUTATIONS} orders, {probe_time:.1f} s)"
        )
        for workers in cluster:
            exact = cluster_time((1 << stations) - 1, exact_cost, dispatch, workers)
            sampled = cluster_time(needed.size, sampled_cost, dispatch, workers)
            print(f"  k = {workers:<4} exact {_duration(exact):>10}   sampled {_duration(sampled):>10}")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--periods", type=int, default=24)
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800.0, help="stop the full sweep after this many s")
    parser.add_argument("--dask-workers", type=int, nargs="*", default=[], help="check the time model on k workers")
    parser.add_argument("--dask-stations", type=int, default=12, help="stations of the Dask check's sweep")
    parser.add_argument("--extrapolate", type=int, nargs="*", default=[], help="station counts to predict")
    parser.add_argument("--permutations", type=int, default=1000, help="sampled orders for --extrapolate")
    parser.add_argument("--cluster", type=int, nargs="*", default=[8, 32, 128], help="workers for --extrapolate")
    args = parser.parse_args()

    naive_time = routes(args.stations, args.periods, args.sample)
    sweep(args.stations, args.periods, args.workers, args.timeout, naive_time)
    dispatch = DISPATCH
    if args.dask_workers:
        dispatch = dask_check(args.dask_stations, args.periods, args.dask_workers)
    if args.extrapolate:
        print(f"time on k workers: (coalitions x c + chunks x {dispatch * 1e3:.0f} ms dispatch) / k")
        extrapolate(args.extrapolate, args.periods, args.permutations, args.cluster, dispatch)


if __name__ == "__main__":
    main()
