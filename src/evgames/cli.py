"""Command line of evgames: solve, verify, allocate, segment, study, params, schema, reproduce and report.

Thin: parse, call :mod:`evgames.api` and the families it registers, print. Human output is a table;
``--json`` prints one JSON object on stdout. Errors exit with status 2 and a one-line message on stderr
naming the field or option and the value.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from evgames import __version__, api
from evgames.allocation import METHODS
from evgames.data.demand_response import CASES
from evgames.data.subsidy_pricing import (
    MAX_SYNTHETIC_TRIPS,
    UPPER_METHODS,
    Subsidies,
    SubsidyPricingData,
    SubsidyPricingParams,
    load_trips,
    synthetic_trips,
)
from evgames.data.validation import DataError, load_mapping, require_finite, require_integer, require_nonnegative
from evgames.solvers import SolverConfig, SolverError

if TYPE_CHECKING:
    import pandas as pd

# The model families import Pyomo, HiGHS, CasADi and cyipopt (seconds): each command imports what it runs,
# so that `evgames --help` and the parser start fast.

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
    """``--config`` and ``--solver`` (which wins), with the solver name checked before anything runs."""
    from evgames.solvers.registry import check_solver_name

    config = SolverConfig.from_file(args.config) if args.config else None
    if config is not None and config.name is not None:
        check_solver_name(config.name, f"solver.name in {args.config}")
    if args.solver is not None:
        check_solver_name(args.solver, "--solver")
        config = (config or SolverConfig()).with_name(args.solver)
    return config


def _progress(args: argparse.Namespace) -> bool:
    """Progress bars on stderr only for a person watching a terminal: never with ``--json``, never in a log."""
    return not getattr(args, "json", False) and sys.stderr.isatty()


def _table(frame: pd.DataFrame) -> str:
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_colwidth", 60, "display.max_rows", 500):
        return frame.to_string()


def _solve_stations(args: argparse.Namespace) -> None:
    import pandas as pd

    from evgames.models import station_alliance
    from evgames.solvers.registry import check_capability, check_solver_name
    from evgames.solvers.structure import inspect_model

    config = _solver_config(args)
    data = api.load_station_data(args.data)
    if config is not None and config.name is not None:  # before the coalitions start: a MILP needs a MILP solver
        grand = station_alliance.build_model(data, None, args.relax)
        check_capability(check_solver_name(config.name), inspect_model(grand))
    solution = station_alliance.solve(data, config, relax=args.relax, workers=args.workers, progress=_progress(args))
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


def _contribution(rates: Sequence[float]) -> dict[str, float]:
    """``--contribution PLATFORM USER``: the contribution rates D_i/D, non-negative with a positive sum."""
    values = [require_nonnegative("--contribution", rate) for rate in rates]
    if sum(values) <= 0:
        raise DataError("--contribution", list(rates), "the rates need a positive sum")
    return dict(zip(("platform", "user"), values))


def _solve_demand(args: argparse.Namespace) -> None:
    import pandas as pd

    from evgames.data.demand_response import DemandResponseData
    from evgames.data.shipped import load_case
    from evgames.models import demand_response

    config = _solver_config(args)
    contribution = _contribution(args.contribution) if args.contribution else None
    data = DemandResponseData.from_yaml(args.data if args.data else load_case("seed002_demand"))
    solution = demand_response.solve(data, config, case=args.case, contribution=contribution)
    if args.plot:
        solution = solution.plot(args.plot)
    if args.json:
        _print_json(solution.to_dict())
        return
    source = args.data or "shipped seed 002 case (synthetic load)"
    print(f"demand response ({source}), case '{args.case}' (10,000 yuan per day)")
    print(_table(solution.to_frame().round(4)))
    cases = {n: {"platform": c.platform, "user": c.user} for n, c in solution.cases.items()}
    print(_table(pd.DataFrame(cases).T))
    print(_table(solution.allocation))
    print(_table(pd.DataFrame(solution.checks).T))
    for path in solution.figures:
        print(f"wrote {path}")


def _segment(args: argparse.Namespace) -> None:
    from evgames.data.survey import load_survey
    from evgames.models import segmentation

    _check_options(args, {})
    survey = load_survey(args.data, "--data") if args.data else segmentation.synthetic_survey(seed=args.seed)
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


def _subsidy_params(args: argparse.Namespace) -> SubsidyPricingParams:
    """Seed 003's parameters with the ``--data`` file's overrides, then each ``--param NAME=VALUE``."""
    overrides: dict[str, Any] = dict(load_mapping(args.data)) if args.data else {}
    given: set[str] = set()
    for item in args.param or []:
        name, separator, value = item.partition("=")
        name = name.strip()
        if not separator or not name:
            raise DataError("--param", item, "use NAME=VALUE, e.g. --param base_fleet=50")
        if name in given:
            raise DataError("--param", item, f"{name} is set twice; give each parameter once")
        given.add(name)
        overrides[name] = value.strip()
    return SubsidyPricingParams().with_overrides(overrides)


def _subsidy_trips(args: argparse.Namespace, params: SubsidyPricingParams) -> pd.DataFrame:
    """The ``--trips-csv`` table, or ``--trips`` synthetic trips drawn with ``--seed``."""
    if args.trips_csv:
        return load_trips(args.trips_csv, "--trips-csv")
    return synthetic_trips(args.trips, args.seed, params)


def _subsidy_inputs(args: argparse.Namespace) -> tuple[SubsidyPricingParams, pd.DataFrame]:
    params = _subsidy_params(args)
    return params, _subsidy_trips(args, params)


def _fixed_subsidy(args: argparse.Namespace, params: SubsidyPricingParams) -> Subsidies | None:
    """``--fixed-subsidy SC1,SC2``: two finite rates within [0, Sc1max] and [0, Sc2max]."""
    if not args.fixed_subsidy:
        return None
    parts = args.fixed_subsidy.split(",")
    if len(parts) != 2:
        raise DataError("--fixed-subsidy", args.fixed_subsidy, "use SC1,SC2, e.g. 0.1444,0.3835")
    first, second = (require_finite("--fixed-subsidy", part.strip()) for part in parts)
    return params.subsidies(first, second, "--fixed-subsidy")


def _solve_subsidy(args: argparse.Namespace) -> None:
    import pandas as pd

    from evgames.models import subsidy_pricing

    params = _subsidy_params(args)
    fixed = _fixed_subsidy(args, params)
    if fixed is None and args.method in ("milp", "expected"):
        raise DataError("--method", args.method, "this method solves the operator level: give --fixed-subsidy SC1,SC2")
    config = _solver_config(args)
    data = SubsidyPricingData(params, _subsidy_trips(args, params), args.rounded_crf)
    solution = subsidy_pricing.solve(
        data, config, method=args.method, upper=args.upper or "exact", fixed_subsidy=fixed, progress=_progress(args)
    )
    record = solution.to_dict()
    if args.json:
        _print_json(record)
        return
    outcome, response = solution.outcome, solution.response
    print(f"subsidy-pricing ({len(data.trips)} trips), method {args.method}; {solution.upper_level}")
    print(_table(pd.Series(record).drop(["model", "subsidy", "price"]).to_frame("value")))
    print(
        f"subsidies: Sc1 = {outcome.vehicle_subsidy:.4f}, Sc2 = {outcome.infrastructure_subsidy:.4f}; "
        f"prices: {response.price_per_km:.4f} CNY/km, {response.price_per_min:.4f} CNY/min"
        + (" (a supremum: prices a hair lower attain it)" if response.supremum else "")
    )


@dataclass(frozen=True)
class _Option:
    """A command's option that only some invocations use: who uses it, whether this one does, its default."""

    users: str
    used: Callable[[argparse.Namespace], bool]
    default: Any = None


_SUBSIDY = "subsidy-pricing"


def _model_is(*models: str) -> Callable[[argparse.Namespace], bool]:
    return lambda args: args.model in models


def _synthetic_trips(args: argparse.Namespace) -> bool:
    return args.model == _SUBSIDY and not args.trips_csv


def _runs_a_solver(args: argparse.Namespace) -> bool:
    return args.model != _SUBSIDY or args.method in ("milp", "expected")


def _bilevel_exact(args: argparse.Namespace) -> bool:
    return args.model == _SUBSIDY and args.method in (None, "exact") and not args.fixed_subsidy


#: ``solve``'s options that only some models (or methods) use; the parser leaves them None (or False) when
#: not given, so that giving one to a model that ignores it is refused instead of silently dropped.
_SOLVE_OPTIONS: dict[str, _Option] = {
    "relax": _Option("station-alliance", _model_is("station-alliance"), False),
    "workers": _Option("station-alliance", _model_is("station-alliance"), 1),
    "case": _Option("demand-response", _model_is("demand-response"), "both"),
    "contribution": _Option("demand-response", _model_is("demand-response")),
    "plot": _Option("demand-response", _model_is("demand-response")),
    "method": _Option(_SUBSIDY, _model_is(_SUBSIDY), "exact"),
    "fixed_subsidy": _Option(_SUBSIDY, _model_is(_SUBSIDY)),
    "trips_csv": _Option(_SUBSIDY, _model_is(_SUBSIDY)),
    "trips": _Option(f"{_SUBSIDY} without --trips-csv (synthetic trips)", _synthetic_trips, 5000),
    "seed": _Option(f"{_SUBSIDY} without --trips-csv (synthetic trips)", _synthetic_trips, 0),
    "param": _Option(_SUBSIDY, _model_is(_SUBSIDY)),
    "rounded_crf": _Option(_SUBSIDY, _model_is(_SUBSIDY), False),
    "upper": _Option(f"{_SUBSIDY} --method exact without --fixed-subsidy", _bilevel_exact, "exact"),
    "solver": _Option(f"every model but {_SUBSIDY}, and {_SUBSIDY} --method milp or expected", _runs_a_solver),
    "config": _Option(f"every model but {_SUBSIDY}, and {_SUBSIDY} --method milp or expected", _runs_a_solver),
}

#: ``study``'s options that some invocations do not use.
_STUDY_OPTIONS: dict[str, _Option] = {
    "trips": _Option("synthetic trips (no --trips-csv)", lambda args: not args.trips_csv, 5000),
    "seed": _Option("synthetic trips (no --trips-csv)", lambda args: not args.trips_csv, 0),
    "upper": _Option("every study", lambda args: True, "exact"),
}

#: Whole-number options: (smallest, largest) allowed value.
_COUNTS: dict[str, tuple[int, int | None]] = {
    "trips": (1, MAX_SYNTHETIC_TRIPS),
    "seed": (0, None),
    "workers": (1, None),
    "k": (1, None),
    "points": (2, None),  # a ±10 % sweep needs both ends
}

#: Options naming a folder the command writes into.
_OUTPUT_FOLDERS = ("plot", "out")


def _invocation(args: argparse.Namespace) -> str:
    words = [args.command, getattr(args, "model", None) or ""]
    if getattr(args, "model", None) == _SUBSIDY and args.command == "solve" and args.method:
        words.append(f"--method {args.method}")
    return " ".join(word for word in words if word)


def _check_output_folder(option: str, value: str, replace_file: bool = False) -> None:
    """Refuse a folder option that names an existing file (unless ``replace_file``) or an unwritable place."""
    target = Path(value)
    if target.exists() and not target.is_dir() and not replace_file:
        raise DataError(option, value, "names an existing file; give a folder")
    existing = target if target.is_dir() else target.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise DataError(option, value, f"cannot be created: {str(existing)!r} is a file")
    try:
        Path(tempfile.mkdtemp(prefix=".evgames-probe-", dir=existing)).rmdir()
    except OSError as error:
        raise DataError(option, value, f"cannot be written ({error.strerror} in {str(existing)!r})") from None


def _check_options(args: argparse.Namespace, options: dict[str, _Option]) -> None:
    """Refuse unused options, out-of-range counts and unusable output folders before any work; fill defaults.

    Idempotent: a second call finds the defaults filled in and checks nothing again.
    """
    for dest, option in options.items():
        value = getattr(args, dest)
        if value is not None and value is not False and not option.used(args):
            raise DataError(
                f"--{dest.replace('_', '-')}",
                value,
                f"{_invocation(args)} does not use this option; it applies to {option.users}",
            )
    for dest, option in options.items():
        if getattr(args, dest) is None and option.used(args):
            setattr(args, dest, option.default)
    for dest, (low, high) in _COUNTS.items():
        if getattr(args, dest, None) is not None:
            require_integer(f"--{dest}", getattr(args, dest), low, high)
    for dest in _OUTPUT_FOLDERS:
        if getattr(args, dest, None) is not None:
            _check_output_folder(f"--{dest}", getattr(args, dest), replace_file=getattr(args, "force", False))


def _check_study_options(args: argparse.Namespace) -> None:
    """``study``'s option checks (:func:`_check_options`): call before reading any input."""
    _check_options(args, _STUDY_OPTIONS)


def _run_study(args: argparse.Namespace) -> None:
    _check_study_options(args)
    _study(args)


def _solve(args: argparse.Namespace) -> None:
    _check_options(args, _SOLVE_OPTIONS)
    if args.model == "subsidy-pricing":
        _solve_subsidy(args)
        return
    if args.model == "station-alliance":
        _solve_stations(args)
        return
    if args.model == "demand-response":
        _solve_demand(args)
        return
    config = _solver_config(args)
    data = api.load_data(args.model, args.data)
    solution = api.solve(args.model, data, config)
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


def _verify(args: argparse.Namespace) -> int:
    """Print the closed-form reports and the verdict table; exit 1 when a check could not be carried out.

    ``differs`` and ``violated`` are reported, not fatal: they are findings to read (seed 000's eq. (17) is not
    the optimum of its own problem; a Shapley value outside the core of a game that is not convex). A check
    ends ``failed`` when a solver or route did not finish, and that fails the run.
    """
    if args.all and args.model:
        raise DataError("--all", args.model, "give a model or --all, not both")
    if args.all:
        models = list(api.MODELS)
    else:
        models = [args.model] if args.model else list(api.CLOSED_FORM_MODELS)
    if args.data and len(models) != 1:
        raise DataError("--data", args.data, "name the model the file is for, e.g. 'evgames verify bargaining'")
    reports, table = api.verify_all(models, args.data)
    if args.json:
        _print_json({"reports": [report.to_dict() for report in reports], "verdicts": table.to_dict()})
        return _verify_status(table)
    for report in reports:
        print(f"== {report.model}")
        for name, result in report.results.items():
            print(f"   {name}: {result.route}, {result.status}, objective {result.objective:.12g}")
        columns = ["closed_form", "solver", "max_abs_difference", "objective_gap", "closed_form_violation", "verdict"]
        print(_table(report.comparison[columns]))
        print()
    frame = table.to_frame()
    print("== verdicts")
    print(_table(frame[["model", "check", "verdict", "expected", "found", "tolerance"]]))
    counts = ", ".join(f"{count} {verdict}" for verdict, count in table.counts().items() if count)
    print(f"\n{counts} of {len(table.checks)} checks")
    for check in table.checks:
        if not check.passed:
            print(f"- {check.model}, {check.check}: {check.verdict.value}; {check.detail}")
    return _verify_status(table)


def _verify_status(table: Any) -> int:
    return 1 if any(check.verdict.value == "failed" for check in table.checks) else 0


def _reproduce(args: argparse.Namespace) -> int:
    """Print the ledger; exit 1 when a row's status is not the one its case file expects (a regression)."""
    from evgames.papers import render

    rows = api.reproduce(args.paper)
    if args.json:
        _print_json(render.json_record(rows))
    else:
        print(render.text(rows))
    return 1 if render.changed_rows(rows) else 0


def _report(args: argparse.Namespace) -> None:
    """Write the HTML report (ledger, verdicts, figures) to ``--out``: whole or not at all."""
    from evgames.papers import report

    target = Path(args.out)
    if target.exists() and not args.force:
        raise DataError("--out", str(target), "exists; choose another file or add --force to replace it")
    if target.is_dir():
        raise DataError("--out", str(target), "is a folder; name the HTML file to write")
    _, table = api.verify_all()
    page = report.page(api.reproduce(None), table.to_frame(), report.figures())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # a temporary file beside the target, renamed at the end: a reader never sees half a page
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as error:
        raise DataError("--out", str(target), f"cannot be written ({error.strerror})") from None
    staging = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(page)
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o666 & ~umask)  # mkstemp makes the file private; a report is an ordinary file
        staging.replace(target)
    except OSError as error:
        raise DataError("--out", str(target), f"cannot be written ({error.strerror})") from None
    finally:
        staging.unlink(missing_ok=True)
    print(f"wrote {target}")


class _StatusesHelp(argparse.RawDescriptionHelpFormatter):
    """Help ending with the ledger's statuses, imported only when help is shown (the parser stays fast)."""

    def format_help(self) -> str:
        from evgames.verification.ledger import STATUSES

        self.add_text("statuses:\n" + "\n".join(f"  {name:<26}{meaning}" for name, meaning in STATUSES.items()))
        return super().format_help()


def _allocate(args: argparse.Namespace) -> None:
    from evgames.allocation import allocate

    report = allocate(args.data, args.method)
    if args.json:
        _print_json(report.to_dict())
        return
    print(f"{args.method} allocation of {args.data}")
    print(_table(report.allocation.to_frame()))
    print("checks: " + ", ".join(f"{name} {value}" for name, value in report.checks.items()))
    for name, value in report.details.items():
        print(f"{name}: {value}")


@contextlib.contextmanager
def _staged_folder(target: Path, force: bool) -> Iterator[Path]:
    """A fresh folder that becomes ``target`` only when the block succeeds; on any failure it is removed.

    ``target`` may not hold anything unless ``force`` allows replacing it, so two runs never mix their files.
    It may not be the working folder or one of its parents (``--force`` would delete what the user stands in),
    nor a symbolic link (replacing it would replace the link, not the folder it names).
    """
    if target.is_symlink():
        raise DataError("--out", str(target), "is a symbolic link; name the folder itself")
    target = target.resolve()
    if target == Path.cwd().resolve() or target in Path.cwd().resolve().parents:
        raise DataError("--out", str(target), "is the working folder or one of its parents; name a new folder")
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not force:
        what = "a file" if not target.is_dir() else "a folder that is not empty"
        raise DataError("--out", str(target), f"is {what}; choose another place or add --force to replace it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    except OSError as error:
        raise DataError("--out", str(target), f"cannot be written ({error.strerror})") from None
    try:
        yield staging
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _study(args: argparse.Namespace) -> None:
    from evgames.models import subsidy_pricing
    from evgames.models.subsidy_pricing import studies as subsidy_studies

    params, trips = _subsidy_inputs(args)
    problem = subsidy_pricing.OperatorProblem(params, trips, args.rounded_crf)
    with _staged_folder(Path(args.out), args.force) as folder:
        table = subsidy_pricing.ResponseTable(problem)
        equilibrium = subsidy_pricing.government_optimum(problem, args.upper, progress=_progress(args), table=table)
        base = equilibrium.outcome
        scenarios = subsidy_studies.scenario_table(problem, equilibrium, table)
        prices, subsidies = subsidy_studies.perturbation_tables(problem, equilibrium)
        sweeps = subsidy_studies.sweep(problem, args.points, progress=_progress(args), method=args.upper, table=table)
        frames = {
            "scenarios": scenarios,
            "prices_perturbed": prices,
            "subsidies_perturbed": subsidies,
            "sweeps": sweeps,
        }
        names = [f"{name}.csv" for name in frames]
        for name, frame in frames.items():
            frame.to_csv(folder / f"{name}.csv")
        names += [path.name for path in subsidy_studies.plot_sweeps(sweeps, folder)]
    print(
        f"equilibrium: Sc1 = {base.vehicle_subsidy:.4f}, Sc2 = {base.infrastructure_subsidy:.4f}, "
        f"p_s = {base.price_per_km:.4f}, p_t = {base.price_per_min:.4f}"
    )
    print("Table 2: the equilibrium and the no-subsidy scenario")
    print(_table(scenarios))
    print("Table 3: both prices scaled, subsidies held")
    print(_table(prices))
    slowest = sweeps.attrs["slowest"]
    if slowest["parameter"] is not None:  # where a rerun's time goes: one point can cost most of the study
        print(f"slowest sweep point: {slowest['parameter']} {slowest['change']:+.1%}, {slowest['seconds']:.1f} s")
    for name in names:
        print(f"wrote {Path(args.out) / name}")


def _params(args: argparse.Namespace) -> None:
    table = SubsidyPricingParams().table()
    if args.json:
        _print_json({"model": args.model, "parameters": table.to_dict(orient="records")})
        return
    print(_table(table.set_index("name")))


def _schema(args: argparse.Namespace) -> None:
    """Print the JSON Schema of a data file: JSON whether or not ``--json`` is given (a schema is JSON)."""
    from evgames.data.schema import schema

    _print_json(schema(args.model))


def _add_subsidy_inputs(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """The trips and parameter options read by :func:`_subsidy_inputs`."""
    parser.add_argument("--trips-csv", help=f"{prefix}trips table (distance_km, duration_min, ...)")
    parser.add_argument("--trips", type=int, help=f"{prefix}synthetic trips to draw (default 5000)")
    parser.add_argument("--seed", type=int, help=f"{prefix}seed of the synthetic trips (default 0)")
    parser.add_argument("--param", action="append", help=f"{prefix}NAME=VALUE override (repeatable)")
    parser.add_argument("--rounded-crf", action="store_true", help=f"{prefix}3-decimal recovery factors")
    parser.add_argument(
        "--upper",
        choices=UPPER_METHODS,
        help=f"{prefix}government level: exact regions (default) or a grid of subsidy rates (--method exact)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="evgames", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"evgames {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    commands = parser.add_subparsers(dest="command", required=True)

    solve = commands.add_parser("solve", help="solve one model and print the optimum")
    solve.add_argument("model", choices=api.MODELS)
    solve.add_argument("--data", help="model YAML (default: the shipped seed 000 / seed 001 case)")
    solve.add_argument("--relax", action="store_true", help="station-alliance: LP relaxation (fractional vehicles)")
    solve.add_argument("--workers", type=int, help="station-alliance: worker processes for coalitions (default 1)")
    solve.add_argument("--case", choices=CASES, help="demand-response case (default both)")
    solve.add_argument(
        "--contribution",
        type=float,
        nargs=2,
        metavar=("PLATFORM", "USER"),
        help="demand-response: contribution rates D_i/D for the corrected Shapley value",
    )
    solve.add_argument("--plot", help="demand-response: folder for the load figure")
    solve.add_argument(
        "--method", choices=["exact", "milp", "expected", "pso"], help="subsidy-pricing method (default exact)"
    )
    solve.add_argument("--fixed-subsidy", help="subsidy-pricing: SC1,SC2 — solve the operator level only")
    _add_subsidy_inputs(solve, "subsidy-pricing: ")
    solve.add_argument("--solver", help="solver name: ipopt, pso, or any installed Pyomo solver")
    solve.add_argument("--config", help="TOML or YAML file with a [solver] table")
    solve.add_argument("--json", action="store_true", help="print one JSON object")
    solve.set_defaults(run=_solve)

    verify = commands.add_parser(
        "verify", help="cross-check each model: closed forms vs Ipopt and PSO, second methods, verdicts"
    )
    verify.add_argument("model", nargs="?", choices=api.MODELS, help="one model (default: the seed 000 closed forms)")
    verify.add_argument("--all", action="store_true", help="every model family, one verdict table")
    verify.add_argument("--data", help="model data file (default: the model's shipped case)")
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
    study.add_argument("--force", action="store_true", help="replace an --out folder that is not empty")
    study.set_defaults(run=_run_study)

    params = commands.add_parser("params", help="list a model's parameters: name, paper symbol, value, unit")
    params.add_argument("model", choices=["subsidy-pricing"])
    params.add_argument("--json", action="store_true", help="print one JSON object")
    params.set_defaults(run=_params)

    schema = commands.add_parser("schema", help="print the JSON Schema of a model's data file (or a game, solver file)")
    schema.add_argument("model", choices=[*api.MODELS, "game", "solver"], help="model family, game or solver")
    schema.add_argument("--json", action="store_true", help="accepted for symmetry: the schema is always JSON")
    schema.set_defaults(run=_schema)

    reproduce = commands.add_parser(
        "reproduce",
        help="published vs computed for every shipped case study",
        description="Every published number of the seed papers against its computation, one reading per paper. "
        "Exit status 1 when a row's status differs from the one its case file expects.",
        formatter_class=_StatusesHelp,
    )
    reproduce.add_argument("--paper", help="seed paper id, e.g. 000")
    reproduce.add_argument("--json", action="store_true", help="print one JSON object (rows, summary, statuses)")
    reproduce.set_defaults(run=_reproduce)

    report = commands.add_parser(
        "report", help="one self-contained HTML page: the ledger per paper, every family's verdicts, the figures"
    )
    report.add_argument("--out", required=True, help="HTML file to write")
    report.add_argument("--force", action="store_true", help="replace an existing --out file")
    report.set_defaults(run=_report)
    for command in commands.choices.values():  # --debug is accepted after the command name too
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2 (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``evgames`` command.

    Exit status: 0 on success, 1 when a check the command reports on fails, 2 on a bad input or option
    (one line on stderr naming it), 130 on Ctrl-C. ``--debug`` shows the traceback of an unexpected error.
    """
    args = _parser().parse_args(argv)
    try:
        code = args.run(args)  # a command that reports a failed check returns 1; the others return None
    except (DataError, SolverError) as error:
        if args.debug:
            raise
        print(f"evgames: error: {_one_line(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("evgames: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of stdout went away (e.g. `| head`); silence the flush at exit, as Python's docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if args.debug:
            raise
        print(
            f"evgames: internal error: {type(error).__name__}: {_one_line(str(error))} "
            "(a bug: please report it with the output of --debug)",
            file=sys.stderr,
        )
        return 1
    return code if isinstance(code, int) else 0


def _one_line(message: str, limit: int = 400) -> str:
    """A message folded onto one line and cut at ``limit`` characters."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
