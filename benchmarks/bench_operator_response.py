"""Operator best response (seed 003's lower level): the exact sweep vs the MILP, same run.

Prints the time of each method and their ratio for N trips (MILP up to --milp-limit trips, with a time
limit), and the exact method alone at N = 5,000 with the paper's parameters. Target (issue 5): exact
equals the MILP to 1e-6 where both finish; the exact bilevel at N = 5,000 follows in a later increment.

Usage: python benchmarks/bench_operator_response.py [--sizes 100 200 300 500 1000 2000 5000]
"""

from __future__ import annotations

import argparse
import time

from evgames.data.subsidy_pricing import SubsidyPricingParams, synthetic_trips
from evgames.models import operator_response as orp
from evgames.solvers import SolverConfig, SolverError

SUBSIDY = (0.1444, 0.3835)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 300, 500, 1000, 2000, 5000])
    parser.add_argument("--milp-limit", type=int, default=500)
    parser.add_argument("--time-limit", type=float, default=120.0)
    args = parser.parse_args()
    paper = SubsidyPricingParams()
    small = SubsidyPricingParams(
        base_fleet=6, subsidy_fleet_response=1, operating_cost=20, vehicle_cost=30000, parking_cost=500
    )
    print(f"{'N':>6} {'params':>7} {'exact s':>9} {'milp s':>9} {'milp/exact':>11} {'U_O exact':>14} {'rel diff':>9}")
    for size in args.sizes:
        params = small if size <= args.milp_limit else paper
        trips = synthetic_trips(size, seed=size)
        start = time.perf_counter()
        exact = orp.exact_best_response(params, trips, *SUBSIDY)
        exact_time = time.perf_counter() - start
        milp_text, ratio_text, diff_text = f"{'-':>9}", f"{'-':>11}", f"{'-':>9}"
        if size <= args.milp_limit:
            start = time.perf_counter()
            try:
                milp = orp.milp_best_response(
                    params,
                    trips,
                    *SUBSIDY,
                    solver=SolverConfig(name="highs", time_limit=args.time_limit, options={"mip_rel_gap": 1e-9}),
                )
                milp_time = time.perf_counter() - start
                milp_text, ratio_text = f"{milp_time:9.2f}", f"{milp_time / exact_time:11.1f}"
                diff_text = f"{abs(exact.operator - milp.operator) / abs(milp.operator):9.1e}"
            except SolverError as error:
                milp_text = f"{'stopped':>9}"
                print(f"       MILP at N = {size}: {error}")
        label = "small" if params is small else "paper"
        print(f"{size:>6} {label:>7} {exact_time:9.2f} {milp_text} {ratio_text} {exact.operator:14.2f} {diff_text}")


if __name__ == "__main__":
    main()
