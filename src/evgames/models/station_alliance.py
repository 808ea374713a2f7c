"""Station-alliance revenue maximisation (seed 001 §4, as a real optimisation) and its coalition game.

For a coalition S of stations, in every period t each station serves some of its own arrivals and may
send overflow vehicles to a partner in S, which pays them a compensation:

    max  Σ_t Σ_j p_j served_jt + Σ_t Σ_(j,k) (p_k − f_jk − c_jk) diverted_jkt − Σ_{j∈S} C_j − Q·[|S| ≥ 2]
    s.t. served_kt + Σ_j diverted_jkt ≤ η_k Δt                 (capacity)
         Σ_k diverted_jkt ≤ max_share_jk · overflow_jt, with overflow_jt = max(0, x_jt − η_j Δt)
         0 ≤ served_jt ≤ min(x_jt, η_j Δt); vehicles neither served nor diverted are lost.

Vehicles are integers by default (the LP relaxation is selectable). Seed 001's "max V(S)" (eq. (1)–(8))
has no decision variable, counts a diverted vehicle's profit at the idle station twice (r_2 in eq. (4)
and again in V) and sends 24 vehicles at 13:00 to a station already holding 28 of its own, 52 in all
against a capacity of 50; this model decides how many move, once each, within capacity.

A station alone earns p·Σ_t min(x_t, η Δt) − C (:func:`standalone_value`). All 2^n − 1 coalition values
come from one compiled grand model (:class:`CoalitionSolver`) whose variables outside the coalition are
bounded to zero, solved in Gray-code order in parallel worker processes or on any executor by
:func:`coalition_values`; each is an LP relaxation whose rounded plan is checked to be the MILP's optimum
(the MILP is re-solved when it is not). Beyond that, :func:`sampled_shapley` estimates the Shapley value
(seed 001 eq. (11)) from the coalitions of sampled orders only, evaluated the same way.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from evgames.data.station_alliance import StationAllianceData
from evgames.data.validation import DEFAULT_CORRECTION_SCALE, DataError
from evgames.games import SampledShapley, TUGame, correction_weights, modified_shapley, normalise_columns, shapley
from evgames.games.corrections import correction_scale
from evgames.games.excess import in_core, nucleolus
from evgames.games.shapley import lazy_sampled_shapley
from evgames.games.tu import require_tabulable
from evgames.solvers import HighsLP, NonOptimalTerminationError, SolverConfig, SolverError, SolveResult, Status
from evgames.solvers import solve as solve_model
from evgames.solvers.coalition_lp import (
    CoalitionProgram,
    CoalitionProgramSolver,
    release_worker_solvers,
    solve_chunk,
)
from evgames.solvers.parallel import run_chunks
from evgames.verification import Check, VerificationTable, agreement, bound, condition, failed

__all__ = [
    "CoalitionSolver",
    "StationAllianceData",
    "StationAllianceSolution",
    "allocation_checks",
    "build_model",
    "chunk_size",
    "coalition_checks",
    "coalition_values",
    "diversion_plan",
    "evaluate_coalitions",
    "gray_code",
    "sampled_shapley",
    "solve",
    "standalone_value",
    "verification_sample",
    "verify",
]

DEFAULT_SOLVER = "highs"


def _members(data: StationAllianceData, coalition: Iterable[str] | None) -> list[str]:
    if coalition is None:
        return list(data.names)
    chosen = set(coalition)
    unknown = chosen - set(data.names)
    if unknown or not chosen:
        raise DataError("coalition", sorted(unknown) or [], f"name one or more of {list(data.names)}")
    return [name for name in data.names if name in chosen]  # keep the data's order


def build_model(
    data: StationAllianceData, coalition: Iterable[str] | None = None, relax: bool = False
) -> pyo.ConcreteModel:
    """The model of the module docstring for ``coalition`` (default: every station).

    The prices and costs a user varies are mutable parameters: ``profit`` (p_j), ``operating_cost`` (C_j),
    ``platform_cost`` (Q), ``compensation`` (f_jk) and ``travel_cost``; after ``model.profit["A"] = 12`` a solve
    through :func:`evgames.solvers.solve` gives the answer of a model built from the changed data. Capacities and
    arrivals stay plain numbers: the variable bounds are rounded (``floor``) functions of them and of the
    overflow max(x − ηΔt, 0), which a parameter expression cannot carry, so changing them means rebuilding.
    (A :class:`CoalitionSolver` compiles its matrix once and does not see later parameter changes.)
    """
    members = _members(data, coalition)
    domain = pyo.NonNegativeReals if relax else pyo.NonNegativeIntegers
    station = {name: data.station(name) for name in members}
    routes = [
        (d.source, d.target) for d in data.diversions if d.source in station and d.target in station and d.max_share > 0
    ]
    terms = {(d.source, d.target): d for d in data.diversions}
    hours = data.period_hours

    def rounded(value: float) -> float:
        return _vehicle_bound(value, relax)

    model = pyo.ConcreteModel(name=f"station alliance {','.join(members)}")
    model.stations = pyo.Set(initialize=members, ordered=True, doc="stations in the coalition S")
    model.periods = pyo.RangeSet(0, data.periods - 1, doc="periods t of length Δt")
    model.routes = pyo.Set(initialize=routes, dimen=2, ordered=True, doc="pairs (j, k): j may divert to k")
    model.profit = pyo.Param(
        model.stations,
        initialize={j: station[j].profit_per_vehicle for j in members},
        mutable=True,
        doc="p_j, profit per vehicle served at j",
    )
    model.operating_cost = pyo.Param(
        model.stations, initialize={j: station[j].operating_cost for j in members}, mutable=True, doc="C_j per day"
    )
    model.platform_cost = pyo.Param(
        initialize=data.platform_cost, mutable=True, doc="Q, added cost of a coalition of two or more stations"
    )
    model.compensation = pyo.Param(
        model.routes,
        initialize={route: terms[route].compensation for route in routes},
        mutable=True,
        doc="f_jk, paid per vehicle j diverts to k",
    )
    model.travel_cost = pyo.Param(
        model.routes,
        initialize={route: terms[route].travel_cost for route in routes},
        mutable=True,
        doc="further cost per vehicle diverted from j to k",
    )
    model.served = pyo.Var(
        model.stations,
        model.periods,
        domain=domain,
        bounds=lambda m, j, t: (0, rounded(min(station[j].arrivals[t], station[j].capacity * hours))),
        doc="own arrivals served, served_jt",
    )
    model.diverted = pyo.Var(
        model.routes,
        model.periods,
        domain=domain,
        bounds=lambda m, j, k, t: (0, rounded(terms[j, k].max_share * data.overflow(j)[t])),
        doc="vehicles sent from j to k, diverted_jkt",
    )
    model.capacity = pyo.Constraint(
        model.stations,
        model.periods,
        rule=lambda m, k, t: (
            m.served[k, t] + sum(m.diverted[j, k, t] for j in members if (j, k) in terms and (j, k) in m.routes)
            <= station[k].capacity * hours
        ),
        doc="served_kt + Σ_j diverted_jkt <= η_k Δt",
    )
    model.overflow = pyo.Constraint(
        model.stations,
        model.periods,
        rule=lambda m, j, t: (
            (sum(m.diverted[j, k, t] for k in members if (j, k) in m.routes) <= data.overflow(j)[t])
            if any((j, k) in m.routes for k in members)
            else pyo.Constraint.Skip
        ),
        doc="Σ_k diverted_jkt <= overflow_jt: only vehicles beyond j's capacity move",
    )
    fixed_costs = sum(model.operating_cost[j] for j in members) + (model.platform_cost if len(members) > 1 else 0)
    model.revenue = pyo.Objective(
        expr=sum(model.profit[j] * model.served[j, t] for j in members for t in model.periods)
        + sum(
            (model.profit[k] - model.compensation[j, k] - model.travel_cost[j, k]) * model.diverted[j, k, t]
            for (j, k) in routes
            for t in model.periods
        )
        - fixed_costs,
        sense=pyo.maximize,
        doc="profit of vehicles where served - compensation - travel - Σ C_j - Q (|S| >= 2)",
    )
    return model


def _vehicle_bound(value: float, relax: bool) -> float:
    """A bound on a count of vehicles: ⌊value⌋ for whole vehicles (the 1e-9 absorbs rounding in η Δt), else value."""
    return value if relax else math.floor(value + 1e-9)


def standalone_value(data: StationAllianceData, name: str, relax: bool = False) -> float:
    """v({j}) = max(p_j, 0) Σ_t ⌊min(x_jt, η_j Δt)⌋ − C_j: a station alone diverts nothing.

    The closed form of :func:`build_model` for one station, with the same rounding of the bounds (the floor
    only for whole vehicles), so that a station alone is worth the same here as in its own MILP when arrivals
    or η Δt are fractional; a station losing money on each vehicle serves none.
    """
    station = data.station(name)
    served = sum(_vehicle_bound(min(a, station.capacity * data.period_hours), relax) for a in station.arrivals)
    return max(station.profit_per_vehicle, 0.0) * served - station.operating_cost


def diversion_plan(model: pyo.ConcreteModel) -> pd.DataFrame:
    """Vehicles moved in a solved model: one row per (from, to, period) with a positive count."""
    rows = [
        {"from": j, "to": k, "period": int(t), "vehicles": float(model.diverted[j, k, t].value)}
        for (j, k) in model.routes
        for t in model.periods
        if model.diverted[j, k, t].value is not None and model.diverted[j, k, t].value > 1e-9
    ]
    return pd.DataFrame(rows, columns=["from", "to", "period", "vehicles"])


class CoalitionSolver:
    """Every coalition's value from one compiled grand model, re-solved with bounds set in place.

    For a coalition S the variables of stations outside S are bounded to zero and
    v(S) = revenue of the optimal plan − Σ_{j∈S} C_j − Q·[|S| ≥ 2] (the module docstring's objective).

    :meth:`value` goes through :attr:`program` (:class:`~evgames.solvers.coalition_lp.CoalitionProgram`, the
    grand model in plain arrays): the LP relaxation with the integer rows floored, warm-started from the
    previous coalition's basis, whose rounded plan is taken when it is proved optimal, else the MILP.
    :meth:`solve` re-solves the compiled MILP itself in place, with its full result.
    """

    def __init__(
        self,
        data: StationAllianceData,
        relax: bool = False,
        options: SolverConfig | Mapping[str, Any] | None = None,
        prove_by_relaxation: bool = True,
    ):
        self.data = data
        self.model = build_model(data, None, relax)
        self.lp = HighsLP(self.model, options)
        bit = {name: 1 << i for i, name in enumerate(data.names)}
        owners = [(v, bit[j]) for (j, t), v in self.model.served.items()]
        owners += [(v, bit[j] | bit[k]) for (j, k, t), v in self.model.diverted.items()]
        self._variables = [v for v, _ in owners]
        self._owners = np.array([mask for _, mask in owners], dtype=np.int64)
        self._upper = np.array([v.ub for v in self._variables], dtype=float)
        by_column = np.zeros(len(self.lp.variables), dtype=np.int64)
        by_column[[self.lp.column(v) for v in self._variables]] = self._owners
        self.program = CoalitionProgram.from_highs(
            self.lp,
            by_column,
            fixed=np.array([s.operating_cost for s in data.stations]),
            joint=data.platform_cost,
            alone=np.array([standalone_value(data, name, relax) for name in data.names]),
        )
        self.resolver = CoalitionProgramSolver(self.program, prove_by_relaxation)

    def _mask(self, coalition: Iterable[str]) -> int:
        members = set(_members(self.data, coalition))
        return sum(1 << i for i, name in enumerate(self.data.names) if name in members)

    def solve(self, coalition: Iterable[str]) -> tuple[float, SolveResult]:
        """v(S) and the solver's result for ``coalition`` from the compiled MILP re-solved in place."""
        mask = self._mask(coalition)
        upper = np.where((self._owners & ~mask) == 0, self._upper, 0.0)
        self.lp.set_variables_bounds(self._variables, np.zeros(upper.size), upper)
        result = self.lp.solve(raise_on_failure=False)  # HighsLP clears HiGHS's stale incumbent first
        # the grand objective subtracts every C_j and Q: add back what S does not pay
        grand_costs = self.program.fixed_cost((1 << len(self.data.names)) - 1)
        return result.objective + grand_costs - self.program.fixed_cost(mask), result

    def value(self, coalition: Iterable[str]) -> float:
        """v(S), solved even for one station; raises on any non-optimal solve."""
        value, status = self.resolver.value(self._mask(coalition))
        if status is not Status.OPTIMAL:
            _, result = self.solve(coalition)  # for the solver's own account of why
            raise NonOptimalTerminationError(result)
        return value


def _coalition_names(names: Sequence[str], mask: int) -> list[str]:
    return [name for i, name in enumerate(names) if mask >> i & 1]


def gray_code(stations: int) -> np.ndarray:
    """Every non-empty coalition's bitmask, each differing from the one before by one station (reflected Gray code).

    Consecutive re-solves then change the bounds of one station's columns only, and start from a basis that
    is nearly optimal.
    """
    index = np.arange(1, 1 << stations, dtype=np.int64)
    return index ^ (index >> 1)


def _solve_chunk_with(
    data: StationAllianceData, relax: bool, solver: str | SolverConfig | None, masks: np.ndarray
) -> tuple[np.ndarray, dict[int, str]]:
    """Worker for a MILP solver other than HiGHS: one model per coalition through the solver layer."""
    values = np.empty(len(masks))
    failures: dict[int, str] = {}
    for index, mask in enumerate(masks.tolist()):
        result = solve_model(
            build_model(data, _coalition_names(data.names, mask), relax),
            solver,
            default=DEFAULT_SOLVER,
            raise_on_failure=False,
        )
        values[index] = result.objective
        if not result.ok:
            failures[mask] = result.status.value
    return values, failures


#: Chunks a set of coalitions is cut into, whatever runs them (so the values never depend on the executor):
#: 16 per worker for 4 workers, enough for a moving progress bar and load balance.
CHUNKS_PER_SWEEP = 64

#: Fewest coalitions in a chunk: below this the cost of shipping a chunk outweighs its solves.
SMALLEST_CHUNK = 8

#: Most coalitions in a chunk (seconds of work): a sweep of 20 or more stations is cut into more chunks than
#: :data:`CHUNKS_PER_SWEEP`, so that a cluster of hundreds of workers has work for each.
LARGEST_CHUNK = 4096


def chunk_size(count: int) -> int:
    """Coalitions per chunk when ``count`` are evaluated: :data:`CHUNKS_PER_SWEEP` chunks, within the limits."""
    return min(LARGEST_CHUNK, max(SMALLEST_CHUNK, -(-count // CHUNKS_PER_SWEEP)))


def _chunks(masks: np.ndarray) -> list[np.ndarray]:
    size = chunk_size(masks.size)
    return [masks[start : start + size] for start in range(0, masks.size, size)]


def evaluate_coalitions(
    data: StationAllianceData,
    masks: np.ndarray,
    relax: bool = False,
    workers: int = 1,
    executor: Executor | Any | None = None,
    solver: str | SolverConfig | None = None,
    progress: bool = False,
) -> np.ndarray:
    """v(S) for each bitmask of ``masks`` (an int64 array; bit i = the i-th station), in that order.

    The masks are cut into :data:`CHUNKS_PER_SWEEP` chunks (more for very many) solved by ``executor`` (any
    ``concurrent.futures.Executor``, or a Dask ``Client``), or by ``workers`` processes counting this one (a
    pool started safely after a solve in this process, and only for work that outlasts a worker's start:
    :func:`evgames.solvers.parallel.run_chunks`). With HiGHS the grand model is compiled here, once, and the
    workers receive it as arrays (:func:`evgames.solvers.coalition_lp.solve_chunk`); a station alone takes
    :func:`standalone_value`. Consecutive masks that differ by one station re-solve fastest. Raises
    :class:`~evgames.solvers.SolverError` naming a coalition when any solve is not optimal.
    """
    masks = np.asarray(masks, dtype=np.int64)
    outside = masks[(masks <= 0) | (masks >= 1 << len(data.names))]
    if outside.size:
        raise DataError(
            "masks", int(outside[0]), f"a coalition is a bitmask from 1 to 2^{len(data.names)} − 1 (bit i = station i)"
        )
    name = (solver.name if isinstance(solver, SolverConfig) else solver) or DEFAULT_SOLVER
    token = uuid.uuid4().hex
    if name == DEFAULT_SOLVER:
        # the whole config: HiGHS's matrix route translates time_limit, tolerance, verbose and [solver.highs]
        options: SolverConfig | dict[str, Any] = solver if isinstance(solver, SolverConfig) else {}
        program = CoalitionSolver(data, relax, options).program
        function: Any = partial(solve_chunk, program, token)
    else:
        function = partial(_solve_chunk_with, data, relax, solver)
    try:
        solved = run_chunks(
            function,
            _chunks(masks),
            workers=workers,
            executor=executor,
            preload=[__name__],  # the fork server imports the models once, not each worker
            progress=progress,
            description="coalitions",
            unit="coalition",
        )
    finally:
        release_worker_solvers(token)
    failed = {mask: status for _, failures in solved for mask, status in failures.items()}
    if failed:
        mask, status = next(iter(failed.items()))
        raise SolverError(
            f"coalition {','.join(_coalition_names(data.names, mask))} ended '{status}' "
            f"({len(failed)} coalition(s) not optimal)"
        )
    return np.concatenate([values for values, _ in solved]) if solved else np.empty(0)


def coalition_values(
    data: StationAllianceData,
    relax: bool = False,
    workers: int = 1,
    executor: Executor | Any | None = None,
    solver: str | SolverConfig | None = None,
    progress: bool = False,
) -> dict[int, float]:
    """v(S) for every non-empty coalition, by bitmask (bit i = the i-th station), in order of bitmask.

    All 2^n − 1 coalitions in Gray-code order (:func:`gray_code`), so that each re-solve changes one station,
    through :func:`evaluate_coalitions` (which says where they run and what it raises).
    """
    require_tabulable("stations", len(data.names), "stations", "evgames.models.station_alliance.sampled_shapley")
    masks = gray_code(len(data.names))
    table = np.zeros(1 << len(data.names))
    table[masks] = evaluate_coalitions(data, masks, relax, workers, executor, solver, progress)
    return dict(enumerate(table[1:].tolist(), start=1))


@dataclass(frozen=True)
class StationAllianceSolution:
    """Coalition values, the grand coalition's plan, and the allocations.

    Attributes:
        game: The TU game of coalition values.
        plan: The grand coalition's diversions (from, to, period, vehicles).
        grand: The grand coalition's solve result.
        allocations: ``shapley``, ``nucleolus`` and, with an allocation block, ``modified_shapley``.
        convex: Whether the game is convex (then the Shapley value lies in the core).
        shapley_in_core: Whether the Shapley value lies in the core.
    """

    game: TUGame
    plan: pd.DataFrame
    grand: SolveResult
    allocations: dict[str, pd.Series]
    convex: bool
    shapley_in_core: bool

    def to_dict(self) -> dict[str, Any]:
        """The ``solve station-alliance --json`` contract."""
        return {
            "model": "station-alliance",
            "status": self.grand.status.value,
            "solver": self.grand.route,
            "coalition_value": self.game.to_dict(),
            "grand_value": self.game.grand_value,
            "diversions": [
                {"from": row["from"], "to": row["to"], "period": int(row["period"]), "vehicles": float(row["vehicles"])}
                for _, row in self.plan.iterrows()
            ],
            "allocation": {name: values.to_dict() for name, values in self.allocations.items()},
            "convex": self.convex,
            "shapley_in_core": self.shapley_in_core,
        }

    def to_frame(self) -> pd.DataFrame:
        """The allocations side by side, one row per station, with each station's standalone value v({i})."""
        standalone = pd.Series(
            [self.game.values[1 << i] for i in range(self.game.n)], index=list(self.game.players), name="standalone"
        )
        return pd.concat([standalone, pd.DataFrame(self.allocations)], axis=1)


def _modified(data: StationAllianceData, game: TUGame, value: pd.Series) -> pd.Series | None:
    block = data.allocation
    if not block:
        return None
    scores = pd.DataFrame(
        [block["scores"][name] for name in game.players], index=list(game.players), columns=block["factors"]
    )
    beta = correction_weights(normalise_columns(scores), block["weights"])
    standalone = sum(game.values[1 << i] for i in range(game.n))
    amount = correction_scale(
        game.grand_value, standalone, block.get("scale", DEFAULT_CORRECTION_SCALE), "allocation.scale"
    )
    return modified_shapley(value, beta, amount)


def solve(
    data: StationAllianceData,
    solver: str | SolverConfig | None = None,
    relax: bool = False,
    workers: int = 1,
    executor: Executor | None = None,
    progress: bool = False,
) -> StationAllianceSolution:
    """All coalition values, the grand plan, Shapley, nucleolus and (with factors) modified Shapley."""
    values = coalition_values(data, relax, workers, executor, solver, progress)
    array = np.zeros(1 << len(data.names))
    for mask, value in values.items():
        array[mask] = value
    game = TUGame(list(data.names), array)
    grand_model = build_model(data, None, relax)
    grand = solve_model(grand_model, solver, default=DEFAULT_SOLVER)
    allocations = {"shapley": shapley(game)}
    if game.n > 1 and sum(game.values[1 << i] for i in range(game.n)) <= game.grand_value + 1e-9:
        allocations["nucleolus"] = nucleolus(game).allocation
    modified = _modified(data, game, allocations["shapley"])
    if modified is not None:
        allocations["modified_shapley"] = modified
    return StationAllianceSolution(
        game=game,
        plan=diversion_plan(grand_model),
        grand=grand,
        allocations=allocations,
        convex=game.convex,
        shapley_in_core=in_core(game, allocations["shapley"], 1e-7),
    )


def sampled_shapley(
    data: StationAllianceData,
    permutations: int = 200,
    seed: int = 0,
    relax: bool = False,
    *,
    workers: int = 1,
    executor: Executor | Any | None = None,
    solver: str | SolverConfig | None = None,
    progress: bool = False,
    cache: MutableMapping[int, float] | None = None,
) -> SampledShapley:
    """Shapley value (seed 001 eq. (11)) by permutation sampling, for alliances too large to enumerate.

    The ``permutations`` orders are drawn as :func:`evgames.games.shapley_sampled` draws them for ``seed``;
    the distinct coalitions they need, less those in ``cache`` (values by bitmask, filled in as they are
    found), are solved together by :func:`evaluate_coalitions`, on ``executor`` (a Dask ``Client`` too) or
    ``workers`` processes; then the marginal contributions give the estimate and its standard errors
    (:func:`evgames.games.shapley.lazy_sampled_shapley`). The same seed gives the same estimate,
    bit for bit, on any executor.
    """

    def evaluate(masks: np.ndarray) -> np.ndarray:
        return evaluate_coalitions(data, masks, relax, workers, executor, solver, progress)

    return lazy_sampled_shapley(list(data.names), evaluate, permutations, seed, cache)


#: Family name in the verdict table.
MODEL_NAME = "station-alliance"

#: Relative agreement between two optima of one MILP, and the slack of the bounds and core checks.
VERIFY_TOLERANCE = 1e-7

#: The reference solves: freshly built models, HiGHS closing the MIP gap to 1e-9 (its default stops at 1e-4,
#: which would let a reference sit below the true optimum by more than the agreement tolerance).
REFERENCE_SOLVER = SolverConfig(name="highs", tolerance=1e-9)


def verification_sample(players: int, sample: int = 12, seed: int = 0) -> list[int]:
    """Coalition masks :func:`verify` re-solves: every one when 2^n − 1 ≤ ``sample``, else a seeded sample plus N."""
    total = (1 << players) - 1
    if total <= sample:
        return list(range(1, total + 1))
    chosen = np.random.default_rng(seed).choice(total, size=sample, replace=False) + 1
    return sorted({int(mask) for mask in chosen} | {total})


def _reference(data: StationAllianceData, members: list[str], relax: bool) -> SolveResult:
    return solve_model(build_model(data, members, relax), REFERENCE_SOLVER, raise_on_failure=False)


def coalition_checks(data: StationAllianceData, game: TUGame, masks: Iterable[int]) -> list[Check]:
    """Each coalition value of ``game`` against a freshly built MILP, and below its LP relaxation.

    ``game`` holds v(S) as :func:`solve` found it: the persistent re-solve of :class:`CoalitionSolver` (bounds
    set in place on one compiled model) for |S| ≥ 2, :func:`standalone_value` for a station alone. The
    reference is ``build_model(data, S)`` built afresh and solved on its own, so a stale bound or incumbent
    carried between re-solves shows as a difference; its LP relaxation must bound v(S) from above.
    """
    checks = []
    for mask in masks:
        members = _coalition_names(data.names, mask)
        label = game.label(mask)
        found = float(game.values[mask])
        source = "standalone closed form" if len(members) == 1 else "persistent re-solve"
        fresh = _reference(data, members, relax=False)
        check = f"coalition {label}: v(S) ({source}) vs fresh MILP"
        checks.append(
            agreement(MODEL_NAME, check, fresh.objective, found, VERIFY_TOLERANCE, detail=f"fresh MILP: {fresh.route}")
            if fresh.ok
            else failed(MODEL_NAME, check, f"fresh MILP ended '{fresh.status.value}'")
        )
        relaxed = _reference(data, members, relax=True)
        check = f"coalition {label}: v(S) <= LP relaxation"
        checks.append(
            bound(MODEL_NAME, check, found, relaxed.objective, VERIFY_TOLERANCE, detail="vehicles continuous")
            if relaxed.ok
            else failed(MODEL_NAME, check, f"LP relaxation ended '{relaxed.status.value}'")
        )
    return checks


def _smallest(surplus: np.ndarray, labels: list[str]) -> str:
    worst = int(np.argmin(surplus))
    return f"{surplus[worst]:.6g} ({labels[worst]})"


def allocation_checks(
    game: TUGame, allocations: Mapping[str, pd.Series], tolerance: float = VERIFY_TOLERANCE
) -> list[Check]:
    """Efficiency, individual rationality and core membership of each allocation, as plain sums.

    Each property is reported as it is, whatever theory promises: the ``detail`` says whether the core is
    empty (then no allocation is in it) and whether the game is convex (then the Shapley value is in it),
    and names the coalition x(S) − v(S) is smallest for. The slack is ``tolerance`` × max(1, |v(N)|).
    """
    slack = tolerance * max(1.0, abs(game.grand_value))
    players = list(game.players)
    alone = np.array([game.values[1 << i] for i in range(game.n)])
    proper = list(range(1, (1 << game.n) - 1)) or [1]  # a one-player game has only N
    labels = [game.label(mask) for mask in proper]
    core_note = "core non-empty" if game.core_nonempty else "core empty: no allocation is in it"
    convex_note = "game convex" if game.convex else "game not convex"
    checks = []
    for name, allocation in allocations.items():
        x = allocation.reindex(players).to_numpy(dtype=float)
        checks.append(
            agreement(MODEL_NAME, f"{name}: efficient, Σ x_i = v(N)", game.grand_value, float(x.sum()), tolerance)
        )
        rational = x - alone
        checks.append(
            condition(
                MODEL_NAME,
                f"{name}: individually rational, x_i >= v({{i}})",
                bool(rational.min() >= -slack),
                f"smallest x_i − v({{i}}) = {_smallest(rational, players)}",
            )
        )
        surplus = (game.coalition_sums(x) - game.values)[proper]
        checks.append(
            condition(
                MODEL_NAME,
                f"{name}: in the core",
                in_core(game, pd.Series(x, index=players), tolerance),
                f"{core_note}; {convex_note}; smallest x(S) − v(S) = {_smallest(surplus, labels)}",
            )
        )
    return checks


def verify(
    data: StationAllianceData, *, sample: int = 12, seed: int = 0, solver: str | SolverConfig | None = None
) -> VerificationTable:
    """Verdicts of the alliance: sampled coalition values, then every allocation of :func:`solve`.

    The coalitions of :func:`verification_sample` go through :func:`coalition_checks` (fresh MILP, LP
    relaxation); the allocations through :func:`allocation_checks`. ``solver`` is the one :func:`solve`
    runs; the references always run on HiGHS. A solve that raises gives a single ``failed`` row.
    """
    try:
        solution = solve(data, solver)
    except SolverError as error:
        return VerificationTable((failed(MODEL_NAME, "coalition values and allocations", str(error)),))
    masks = verification_sample(len(data.names), sample, seed)
    return VerificationTable(
        (*coalition_checks(data, solution.game, masks), *allocation_checks(solution.game, solution.allocations))
    )
