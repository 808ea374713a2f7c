"""Ipopt adapter vs SciPy SLSQP vs the closed form on random n-player bargaining problems (seed 000 eq. 1-9).

Prints, for each n, the adapter's build + solve time (Pyomo model built from data, translated to CasADi,
solved by Ipopt), SLSQP's time on the same problem with its exact gradient (up to n = 300: it scales
cubically), the closed form's time, and ratios measured in this same run. Targets (issue 2): at n = 300 at
most a tenth of SLSQP's time (goal: a fiftieth); n = 5000 under 5 s. Issue #15: the n = 3 row (after the
start-up solve, which is not timed) at most 5 ms (goal 1 ms); "/bar" is its time over 5 ms. Repeated solves for
the same players reuse the model and its compiled solver functions (``bargaining.solve`` keeps a few models), as
an application re-solving with new data does. Default run: well under a minute.

Usage: python benchmarks/bench_bargaining.py [--sizes 3 10 100 300 1000 5000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy.optimize import minimize
from timing import median_time
from tqdm.auto import tqdm  # progress on stderr; the figures go to stdout

from evgames.models import bargaining

SLSQP_LIMIT = 300
SMALL_REPEATS = 50  # milliseconds are noisy on a shared machine: the 3-player figure is a median of many solves


def small_solve(data: bargaining.BargainingData, repeats: int) -> None:
    """The issue #15 row: median wall and CPU time of a 3-player solve after start-up, against the 5 ms bar.

    The CPU time (this process only) is shown too, because on a shared machine the wall time also counts the
    time other processes hold the cores.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        bargaining.solve(data)
        wall.append(time.perf_counter() - wall_start)
        cpu.append(time.process_time() - cpu_start)
    wall_ms, cpu_ms = statistics.median(wall) * 1000, statistics.median(cpu) * 1000
    print(
        f"{'':>6} 3-player solve after start-up: {wall_ms:.2f} ms wall ({cpu_ms:.2f} ms CPU), "
        f"/bar (5 ms) {wall_ms / 5:.2f} ({cpu_ms / 5:.2f} CPU)"
    )


def instance(n: int, seed: int = 0) -> bargaining.BargainingData:
    rng = np.random.default_rng(seed)
    powers = rng.uniform(0.1, 1.0, n)
    costs = rng.uniform(0, 100, n)
    standalone = rng.uniform(50, 200, n)
    surplus = 0.2 * (costs.sum() + standalone.sum())
    return bargaining.BargainingData.from_dict(
        {
            "total_benefit": float(costs.sum() + standalone.sum() + surplus + 10 * n),
            "negotiation_cost": float(10 * n),
            "normalise_powers": True,
            "players": [
                {
                    "name": f"P{i}",
                    "cost": float(costs[i]),
                    "standalone": float(standalone[i]),
                    "power": float(powers[i]),
                }
                for i in range(n)
            ],
        }
    )


def slsqp(data: bargaining.BargainingData) -> np.ndarray:
    powers = np.array([p.power for p in data.players])
    thresholds = np.array([(p.cost + p.standalone) / data.net_benefit for p in data.players])
    spare = 1 - thresholds.sum()
    start = thresholds + spare / len(powers)

    def negative_log_product(a: np.ndarray) -> float:
        return -float(np.dot(powers, np.log(np.maximum(a - thresholds, 1e-300) * data.net_benefit)))

    def gradient(a: np.ndarray) -> np.ndarray:
        return -powers / np.maximum(a - thresholds, 1e-300)

    found = minimize(
        negative_log_product,
        start,
        jac=gradient,
        method="SLSQP",
        bounds=list(zip(thresholds + 1e-12, thresholds + spare)),
        constraints=[{"type": "eq", "fun": lambda a: a.sum() - 1, "jac": lambda a: np.ones_like(a)}],
        options={"ftol": 1e-12, "maxiter": 1000},
    )
    if not found.success:
        raise RuntimeError(f"SLSQP failed: {found.message}")
    return found.x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 10, 100, 300, 1000, 5000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    bargaining.solve(instance(3))  # start-up: imports, CasADi and Ipopt libraries loaded once
    header = (
        f"{'n':>6} {'adapter s':>10} {'SLSQP s':>10} {'adapter/SLSQP':>14} {'closed s':>10} "
        f"{'adapter/closed':>15} {'max |a - a*|':>13}"
    )
    print(header)
    print("-" * len(header))
    for n in tqdm(args.sizes, desc="sizes", unit="n", leave=False):
        data = instance(n)
        repeats = args.repeats if n <= 1000 else 1
        adapter_time, solution = median_time(bargaining.solve, data, repeats)
        closed_time, closed = median_time(bargaining.closed_form, data, repeats)
        error = float(np.max(np.abs(solution.shares.to_numpy() - closed.to_numpy())))
        if n <= SLSQP_LIMIT:
            slsqp_time, point = median_time(slsqp, data, 1 if n > 100 else repeats)
            slsqp_error = float(np.max(np.abs(point - closed.to_numpy())))
            slsqp_text, ratio_text = f"{slsqp_time:10.4f}", f"{adapter_time / slsqp_time:14.4f}"
            note = f"  (SLSQP error {slsqp_error:.1e})"
        else:
            slsqp_text, ratio_text, note = f"{'-':>10}", f"{'-':>14}", ""
        print(
            f"{n:>6} {adapter_time:10.4f} {slsqp_text} {ratio_text} {closed_time:10.6f} "
            f"{adapter_time / closed_time:15.1f} {error:13.1e}{note}"
        )
        if n == 3:
            small_solve(data, max(args.repeats, SMALL_REPEATS))


if __name__ == "__main__":
    main()
