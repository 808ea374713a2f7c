"""Command line: ``evgames solve``, ``verify``, ``allocate``, ``segment`` and ``reproduce``.

Human output is a table; ``--json`` prints one JSON object on stdout. Errors exit with status 2 and
a one-line message on stderr naming the problem.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from evgames import __version__, api
from evgames.allocation import METHODS, allocate, allocation_checks
from evgames.data.demand_response import DemandResponseData
from evgames.data.shipped import load_case
from evgames.data.subsidy_pricing import SubsidyPricingParams, load_trips, synthetic_trips
from evgames.data.validation import DataError, load_mapping
from evgames.models import (
    bilevel,
    demand_response,
    operator_response,
    segmentation,
    station_alliance,
    subsidy_expected,
    subsidy_pso,
    subsidy_studies,
)
from evgames.solvers import SolverConfig, SolverError
from evgames.verification.ledger import to_frame

__all__ = ["main"]


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _print_json(record: dict[str, Any]) -> None:
    print(json.dumps(_json_safe(record), indent=2, ensure_ascii=False))


def _solver_config(args: argparse.Namespace) -> SolverConfig | None:
    config = SolverConfig.from_file(args.config) if args.config else None
    if args.solver:
        config = (config or SolverConfig()).with_name(args.solver)
    return config


def _table(frame: pd.DataFrame) -> str:
    with pd.option_context("display.width", 200, "display.max_colwidth", 60, "display.max_rows", 500):
        return frame.to_string()


def _solve_stations(args: argparse.Namespace) -> None:
    data = api.load_station_data(args.data)
    solution = station_alliance.solve(
        data, _solver_config(args), relax=args.relax, workers=args.workers, progress=not args.json
    )
    if args.json:
        _print_json(solution.to_dict())
        return
    source = args.data or "shipped seed 001 case (Table 3)"
    print(
        f"station-alliance ({source}) solved by {solution.grand.route}: {solution.grand.status}; "
        f"{len(solution.game.values) - 1} coalitions; convex: {solution.convex}; "
        f"Shapley in core: {solution.shapley_in_core}"
    )
    print(_table(pd.Series(solution.game.to_dict(), name="v(S)").to_frame()))
    print(_table(pd.DataFrame(solution.allocations)))
    print("diversions of the grand coalition:")
    print(_table(solution.plan) if len(solution.plan) else "  none")


def _solve_demand(args: argparse.Namespace) -> None:
    data = DemandResponseData.from_yaml(args.data if args.data else load_case("seed002_demand"))
    config = _solver_config(args)
    benefits = demand_response.case_benefits(data, args.case, solver=config)
    game, cases = demand_response.cooperation_game(data, solver=config)
    split = demand_response.allocations(
        game,
        {"platform": 0.5, "user": 0.5} if not args.contribution else dict(zip(("platform", "user"), args.contribution)),
    )
    checks = {method: allocation_checks(game, split[method]) for method in split.columns}
    written = (
        [
            demand_response.plot_loads(
                data, benefits.load, Path(args.plot) / f"load_{args.case}.png", f"charging load, case '{args.case}'"
            )
        ]
        if args.plot
        else []
    )
    if args.json:
        _print_json(
            {
                "model": "demand-response",
                "checks": checks,
                "figures": [str(path) for path in written],
                "case": args.case,
                "load_before": list(map(float, data.load)),
                "load_after": benefits.load.tolist(),
                "charging_income": benefits.income,
                "incentive_payments": benefits.payments,
                "benefit": {"platform": benefits.platform, "user": benefits.user},
                "cases": {name: {"platform": c.platform, "user": c.user} for name, c in cases.items()},
                "allocation": split.to_dict(),
            }
        )
        return
    source = args.data or "shipped seed 002 case (synthetic load)"
    print(f"demand response ({source}), case '{args.case}' (10,000 yuan per day)")
    hours = pd.DataFrame({"category": data.category, "load_before": data.load, "load_after": benefits.load})
    print(_table(hours.round(4)))
    print(_table(pd.DataFrame({n: {"platform": c.platform, "user": c.user} for n, c in cases.items()}).T))
    print(_table(split))
    print(_table(pd.DataFrame(checks).T))
    for path in written:
        print(f"wrote {path}")


def _segment(args: argparse.Namespace) -> None:
    survey = pd.read_csv(args.data) if args.data else segmentation.synthetic_survey(seed=args.seed)
    features = survey.select_dtypes("number")
    found = segmentation.segment(features, args.k, seed=args.seed)
    written = found.plot(features, args.plot) if args.plot else []
    if args.json:
        record = found.to_dict()
        record["figures"] = [str(path) for path in written]
        _print_json(record)
        return
    print(f"k = {found.k} ({'given' if args.k else 'elbow of the SSE curve'}); sizes {found.to_dict()['sizes']}")
    print(_table(found.centroids.round(3)))
    for path in written:
        print(f"wrote {path}")


def _subsidy_inputs(args: argparse.Namespace) -> tuple[SubsidyPricingParams, pd.DataFrame]:
    overrides: dict[str, Any] = dict(load_mapping(args.data)) if args.data else {}
    for item in args.param or []:
        name, separator, value = item.partition("=")
        if not separator:
            raise DataError("--param", item, "use NAME=VALUE, e.g. --param base_fleet=50")
        overrides[name.strip()] = value.strip()
    params = SubsidyPricingParams().with_overrides(overrides)
    trips = load_trips(args.trips_csv) if args.trips_csv else synthetic_trips(args.trips, args.seed, params)
    return params, trips


def _solve_subsidy(args: argparse.Namespace) -> None:
    params, trips = _subsidy_inputs(args)
    fixed: tuple[float, float] | None = None
    if args.fixed_subsidy:
        try:
            first, second = (float(part) for part in args.fixed_subsidy.split(","))
            fixed = (first, second)
        except ValueError:
            raise DataError("--fixed-subsidy", args.fixed_subsidy, "use SC1,SC2, e.g. 0.1444,0.3835") from None
    extra: dict[str, Any] = {}
    if args.method == "pso":
        found_pso = subsidy_pso.pso_bilevel(params, trips, args.rounded_crf, fixed_subsidy=fixed)
        response = found_pso.exact  # prices below are the swarm's; the exact response re-scores them
        outcome = found_pso.outcome
        response = replace(
            response, price_per_km=outcome.price_per_km, price_per_min=outcome.price_per_min, supremum=False
        )
        upper = "nested particle swarms (seed 003)" if fixed is None else "fixed subsidies (operator level only)"
        extra = {
            "pso": {
                "operator_gap": found_pso.operator_gap,
                "exact_operator": found_pso.exact.operator,
                "exact_price": {"per_km": found_pso.exact.price_per_km, "per_min": found_pso.exact.price_per_min},
            }
        }
    elif fixed is not None:
        first, second = fixed
        if args.method == "expected":
            response = subsidy_expected.expected_best_response(
                params, trips, first, second, args.rounded_crf, _solver_config(args)
            )
            # the figures below are realised on the trips at these prices; the expectation is reported too
            extra = {"expected": {"operator": response.operator, "trips": response.trips}}
        elif args.method == "milp":
            response = operator_response.milp_best_response(
                params, trips, first, second, args.rounded_crf, _solver_config(args)
            )
        else:
            response = operator_response.exact_best_response(params, trips, first, second, args.rounded_crf)
        outcome = bilevel.outcome_at(params, trips, response, first, second, args.rounded_crf)
        upper = "fixed subsidies (operator level only)"
    else:
        if args.method in ("milp", "expected"):
            raise DataError(
                "--method", args.method, "this method solves the operator level: give --fixed-subsidy SC1,SC2"
            )
        found = bilevel.government_optimum(params, trips, args.rounded_crf, args.upper, progress=not args.json)
        response, outcome = found.response, found.outcome
        if found.method == "exact":
            upper = f"exact over {found.evaluations} subsidy regions"
            if found.sweeps:  # eq. (11) removed some of the table's cells from the operator's choice
                upper += f", {found.in_use_checks} price cells checked against eq. (11)"
        else:
            upper = f"grid over subsidy rates, resolution {found.resolution:g}"
        upper += f" ({found.note})" if found.note else ""
        extra = {"upper_supremum": found.supremum, "in_use_checks": found.in_use_checks}
    record = {
        "model": "subsidy-pricing",
        "status": "heuristic" if args.method == "pso" else "optimal",
        "method": args.method,
        "subsidy": {"vehicle": outcome.vehicle_subsidy, "infrastructure": outcome.infrastructure_subsidy},
        "price": {"per_km": response.price_per_km, "per_min": response.price_per_min},
        "trips": outcome.trips,
        "fleet": outcome.fleet,
        "operator": outcome.operator,
        "government": outcome.government,
        "environmental": outcome.environmental,
        "social": outcome.social,
        "supremum": response.supremum,
        "upper_level": upper,
        "sharing_ratio": outcome.sharing_ratio,
        "vehicles_in_use": outcome.vehicles_in_use,
        **extra,
    }
    if args.json:
        _print_json(record)
        return
    print(f"subsidy-pricing ({len(trips)} trips), method {args.method}; {upper}")
    print(_table(pd.Series(record).drop(["model", "subsidy", "price"]).to_frame("value")))
    print(
        f"subsidies: Sc1 = {outcome.vehicle_subsidy:.4f}, Sc2 = {outcome.infrastructure_subsidy:.4f}; "
        f"prices: {response.price_per_km:.4f} CNY/km, {response.price_per_min:.4f} CNY/min"
        + (" (a supremum: prices a hair lower attain it)" if response.supremum else "")
    )


def _solve(args: argparse.Namespace) -> None:
    if args.model == "subsidy-pricing":
        _solve_subsidy(args)
        return
    if args.model == "station-alliance":
        _solve_stations(args)
        return
    if args.model == "demand-response":
        _solve_demand(args)
        return
    if args.relax or args.workers != 1:
        raise DataError("--relax/--workers", args.model, "only station-alliance takes these options")
    data = api.load_data(args.model, args.data)
    solution = api.solve(args.model, data, _solver_config(args))
    if args.json:
        _print_json(solution.to_dict())
        return
    result = solution.result
    source = args.data or "shipped seed 000 case"
    print(
        f"{args.model} ({source}) solved by {result.route}: {result.status}, objective {result.objective:.10g}, "
        f"{result.iterations} iterations, {result.wall_time * 1000:.1f} ms"
    )
    print(_table(solution.to_frame()))


def _verify(args: argparse.Namespace) -> None:
    models = [args.model] if args.model else list(api.MODELS)
    if args.data and len(models) != 1:
        raise DataError("--data", args.data, "name the model the file is for, e.g. 'evgames verify bargaining'")
    reports = [api.verify(model, api.load_data(model, args.data) if args.data else None) for model in models]
    if args.json:
        _print_json({"reports": [report.to_dict() for report in reports]})
        return
    for report in reports:
        print(f"== {report.model}")
        for name, result in report.results.items():
            print(f"   {name}: {result.route}, {result.status}, objective {result.objective:.12g}")
        columns = ["closed_form", "solver", "max_abs_difference", "objective_gap", "closed_form_violation", "verdict"]
        print(_table(report.comparison[columns]))
        print()


def _reproduce(args: argparse.Namespace) -> None:
    rows = api.reproduce(args.paper)
    if args.json:
        _print_json({"rows": [row.to_dict() for row in rows]})
        return
    frame = to_frame(rows)
    frame["reading"] = frame["reading"].fillna("")
    print(_table(frame[["paper", "location", "quantity", "printed", "computed", "status", "reading"]]))
    counts = Counter(row.status for row in rows)
    print("\n" + ", ".join(f"{count} {status}" for status, count in sorted(counts.items())) + f" of {len(rows)}")
    for row in rows:
        if row.status != "match":
            print(f"- {row.location}, {row.quantity}: {row.note}")


def _allocate(args: argparse.Namespace) -> None:
    report = allocate(args.data, args.method)
    if args.json:
        _print_json(report.to_dict())
        return
    print(f"{args.method} allocation of {args.data}")
    print(_table(report.allocation.to_frame()))
    print("checks: " + ", ".join(f"{name} {value}" for name, value in report.checks.items()))
    for name, value in report.details.items():
        print(f"{name}: {value}")


def _study(args: argparse.Namespace) -> None:
    params, trips = _subsidy_inputs(args)
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    table = operator_response.ResponseTable(params, trips, args.rounded_crf)
    equilibrium = bilevel.government_optimum(params, trips, args.rounded_crf, args.upper, progress=True, table=table)
    base = equilibrium.outcome
    scenarios = subsidy_studies.scenario_table(params, trips, equilibrium, args.rounded_crf, table)
    prices, subsidies = subsidy_studies.perturbation_tables(params, trips, equilibrium, args.rounded_crf)
    sweeps = subsidy_studies.sweep(params, trips, args.points, args.rounded_crf, progress=True, method=args.upper)
    written = []
    frames = {"scenarios": scenarios, "prices_perturbed": prices, "subsidies_perturbed": subsidies, "sweeps": sweeps}
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path)
        written.append(path)
    written += subsidy_studies.plot_sweeps(sweeps, folder)
    print(
        f"equilibrium: Sc1 = {base.vehicle_subsidy:.4f}, Sc2 = {base.infrastructure_subsidy:.4f}, "
        f"p_s = {base.price_per_km:.4f}, p_t = {base.price_per_min:.4f}"
    )
    print("Table 2: the equilibrium and the no-subsidy scenario")
    print(_table(scenarios))
    print("Table 3: both prices scaled, subsidies held")
    print(_table(prices))
    for path in written:
        print(f"wrote {path}")


def _params(args: argparse.Namespace) -> None:
    table = SubsidyPricingParams().table()
    if args.json:
        _print_json({"model": args.model, "parameters": table.to_dict(orient="records")})
        return
    print(_table(table.set_index("name")))


def _add_subsidy_inputs(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """The trips and parameter options read by :func:`_subsidy_inputs`."""
    parser.add_argument("--trips-csv", help=f"{prefix}trips table (distance_km, duration_min, ...)")
    parser.add_argument("--trips", type=int, default=5000, help=f"{prefix}synthetic trips to draw")
    parser.add_argument("--seed", type=int, default=0, help=f"{prefix}seed of the synthetic trips")
    parser.add_argument("--param", action="append", help=f"{prefix}NAME=VALUE override (repeatable)")
    parser.add_argument("--rounded-crf", action="store_true", help=f"{prefix}3-decimal recovery factors")
    parser.add_argument(
        "--upper",
        default="exact",
        choices=bilevel.METHODS,
        help=f"{prefix}government level: exact regions or a grid of subsidy rates (--method exact)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evgames", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"evgames {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    solve = commands.add_parser("solve", help="solve one model and print the optimum")
    solve.add_argument("model", choices=[*api.MODELS, "station-alliance", "demand-response", "subsidy-pricing"])
    solve.add_argument("--data", help="model YAML (default: the shipped seed 000 / seed 001 case)")
    solve.add_argument("--relax", action="store_true", help="station-alliance: LP relaxation (fractional vehicles)")
    solve.add_argument("--workers", type=int, default=1, help="station-alliance: worker processes for coalitions")
    solve.add_argument("--case", default="both", choices=demand_response.CASES, help="demand-response case")
    solve.add_argument(
        "--contribution",
        type=float,
        nargs=2,
        metavar=("PLATFORM", "USER"),
        help="demand-response: contribution rates D_i/D for the corrected Shapley value",
    )
    solve.add_argument("--plot", help="demand-response: folder for the load figure")
    solve.add_argument(
        "--method", default="exact", choices=["exact", "milp", "expected", "pso"], help="subsidy-pricing method"
    )
    solve.add_argument("--fixed-subsidy", help="subsidy-pricing: SC1,SC2 — solve the operator level only")
    _add_subsidy_inputs(solve, "subsidy-pricing: ")
    solve.add_argument("--solver", help="solver name: ipopt, pso, or any installed Pyomo solver")
    solve.add_argument("--config", help="TOML or YAML file with a [solver] table")
    solve.add_argument("--json", action="store_true", help="print one JSON object")
    solve.set_defaults(run=_solve)

    verify = commands.add_parser("verify", help="compare numeric optima with the closed forms")
    verify.add_argument("model", nargs="?", choices=api.MODELS)
    verify.add_argument("--data", help="model YAML (default: the shipped seed 000 case)")
    verify.add_argument("--json", action="store_true", help="print one JSON object")
    verify.set_defaults(run=_verify)

    allocate_command = commands.add_parser("allocate", help="split a TU game by a named method")
    allocate_command.add_argument("--data", required=True, help="game YAML: players, values, method blocks")
    allocate_command.add_argument("--method", required=True, choices=METHODS)
    allocate_command.add_argument("--json", action="store_true", help="print one JSON object")
    allocate_command.set_defaults(run=_allocate)

    segment = commands.add_parser("segment", help="k-means (cosine) user segmentation with an SSE elbow")
    segment.add_argument("--data", help="CSV of numeric survey scores (default: the synthetic survey)")
    segment.add_argument("--k", type=int, help="number of segments (default: the elbow)")
    segment.add_argument("--seed", type=int, default=0)
    segment.add_argument("--plot", help="folder for the SSE curve and the scatter plot")
    segment.add_argument("--json", action="store_true", help="print one JSON object")
    segment.set_defaults(run=_segment)

    study = commands.add_parser("study", help="sensitivity tables and figures (seed 003 Tables 3-4, Figures 5-8)")
    study.add_argument("model", choices=["subsidy-pricing"])
    study.add_argument("--out", required=True, help="folder for the CSV tables and PNG figures")
    study.add_argument("--data", help="YAML of parameter overrides")
    _add_subsidy_inputs(study)
    study.add_argument("--points", type=int, default=5, help="points per ±10 %% sweep")
    study.set_defaults(run=_study)

    params = commands.add_parser("params", help="list a model's parameters: name, paper symbol, value, unit")
    params.add_argument("model", choices=["subsidy-pricing"])
    params.add_argument("--json", action="store_true", help="print one JSON object")
    params.set_defaults(run=_params)

    reproduce = commands.add_parser("reproduce", help="published vs computed for every shipped case study")
    reproduce.add_argument("--paper", help="seed paper id, e.g. 000")
    reproduce.add_argument("--json", action="store_true", help="print one JSON object")
    reproduce.set_defaults(run=_reproduce)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``evgames`` command."""
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except (DataError, SolverError) as error:
        print(f"evgames: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
