"""Seeded particle-swarm optimisation: a cross-check, never the primary method.

Two coefficient schedules are offered:

* ``time-varying`` (default) — the "improved PSO" of seed 003 §4.2: the inertia weight decreases
  linearly (Shi & Eberhart 1998) and the learning factors change asynchronously, the cognitive one
  falling while the social one rises (Ratnaweera et al. 2004);
* ``constant`` — Clerc's constriction coefficients (w = 0.7298, c1 = c2 = 1.49618).

Constraints are handled by the ε-constrained method (Takahama & Sakai 2006): a point whose total
violation is within ε counts as feasible, feasible points are compared by objective and infeasible
ones by violation, and ε shrinks to ``equality_tolerance`` over the first 80 % of the iterations.
Equality constraints thus become thin slabs that the swarm is steered into.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from evgames.solvers.casadi_bridge import INFINITY, compile_model
from evgames.solvers.errors import ModelTypeError, SolverOptionError
from evgames.solvers.result import SolveResult, Status
from evgames.solvers.structure import ModelStructure

__all__ = ["PSOOutcome", "PSOSettings", "pso_minimise", "pso_status", "solve_pso"]

#: ``fitness(points)`` takes an (N, n) array and returns (objective, violation), each of shape (N,).
Fitness = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class PSOSettings:
    """Swarm settings; every field can be set under ``[solver.pso]`` of a configuration file.

    Attributes:
        swarm_size: Number of particles.
        iterations: Maximum number of iterations.
        seed: Seed of the random generator; equal seeds give equal runs.
        schedule: ``time-varying`` (seed 003) or ``constant`` (Clerc's constriction).
        inertia_start, inertia_end: Inertia weight w at the first and last iteration.
        cognitive_start, cognitive_end: Learning factor c1 (towards the particle's best).
        social_start, social_end: Learning factor c2 (towards the swarm's best).
        max_velocity: Velocity clamp as a fraction of each variable's range.
        stall_iterations: Stop when the best fitness improved by less than ``tolerance`` for this many
            iterations (the swarm has converged).
        tolerance: Improvement that counts as progress.
        equality_tolerance: Final ε: total violation accepted as feasible.
        time_limit: Wall-clock limit in seconds (``None``: none).
        default_bound: The swarm searches a box, so an unbounded side of a variable becomes ``±default_bound``
            (``None``: an unbounded variable is an error that names it).
        bounds: Search bounds per variable name, e.g. ``{"x[1]" = [0, 100]}``; they win over ``default_bound``
            for the sides the model leaves open (bounds the model sets are kept).
    """

    swarm_size: int = 40
    iterations: int = 1000
    seed: int = 0
    schedule: str = "time-varying"
    inertia_start: float = 0.9
    inertia_end: float = 0.4
    cognitive_start: float = 2.5
    cognitive_end: float = 0.5
    social_start: float = 0.5
    social_end: float = 2.5
    max_velocity: float = 0.2
    stall_iterations: int = 100
    tolerance: float = 1e-12
    equality_tolerance: float = 1e-7
    time_limit: float | None = None
    default_bound: float | None = None
    bounds: Mapping[str, Sequence[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.schedule not in ("time-varying", "constant"):
            raise SolverOptionError(f"pso option schedule = {self.schedule!r}: use 'time-varying' or 'constant'")
        for name in ("swarm_size", "iterations", "stall_iterations"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SolverOptionError(f"pso option {name} = {value!r}: must be a positive integer")
        if self.default_bound is not None and (
            isinstance(self.default_bound, bool)
            or not isinstance(self.default_bound, (int, float))
            or not math.isfinite(self.default_bound)
            or self.default_bound <= 0
        ):
            raise SolverOptionError(f"pso option default_bound = {self.default_bound!r}: must be a positive number")
        if not isinstance(self.bounds, Mapping):
            raise SolverOptionError(
                f"pso option bounds = {self.bounds!r}: must map variable names to [lower, upper], e.g. {{x = [0, 5]}}"
            )
        for name, pair in self.bounds.items():
            numbers = isinstance(pair, (list, tuple)) and len(pair) == 2
            if not numbers or not all(
                isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in pair
            ):
                raise SolverOptionError(f"pso option bounds.{name} = {pair!r}: must be [lower, upper], finite")
            if pair[0] > pair[1]:
                raise SolverOptionError(f"pso option bounds.{name} = {pair!r}: the lower bound exceeds the upper")
        if self.swarm_size < 2:
            raise SolverOptionError(f"pso option swarm_size = {self.swarm_size}: needs at least 2 particles")

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> PSOSettings:
        """Build from an options table, rejecting unknown names."""
        known = {f.name for f in fields(cls)}
        for name in options:
            if name not in known:
                raise SolverOptionError(f"pso has no option '{name}'; known options: {sorted(known)}")
        return cls(**dict(options))

    def coefficients(self, progress: float) -> tuple[float, float, float]:
        """(w, c1, c2) at ``progress`` = iteration / iterations ∈ [0, 1]."""
        if self.schedule == "constant":
            return 0.7298, 1.49618, 1.49618

        def linear(start: float, end: float) -> float:
            return start + (end - start) * progress

        return (
            linear(self.inertia_start, self.inertia_end),
            linear(self.cognitive_start, self.cognitive_end),
            linear(self.social_start, self.social_end),
        )


@dataclass(frozen=True)
class PSOOutcome:
    """Best point found and why the swarm stopped (``stalled``, ``iteration_limit`` or ``time_limit``)."""

    x: np.ndarray
    objective: float
    violation: float
    iterations: int
    stopped_by: str
    history: np.ndarray


def _better(f_a: np.ndarray, v_a: np.ndarray, f_b: np.ndarray, v_b: np.ndarray, epsilon: float) -> np.ndarray:
    """ε-constrained comparison: violations within ε count as zero, then objective decides."""
    excess_a = np.where(v_a <= epsilon, 0.0, v_a)
    excess_b = np.where(v_b <= epsilon, 0.0, v_b)
    return (excess_a < excess_b) | ((excess_a == excess_b) & (f_a < f_b))


def pso_minimise(fitness: Fitness, lower: np.ndarray, upper: np.ndarray, settings: PSOSettings) -> PSOOutcome:
    """Minimise over the box [lower, upper] with the ε-constrained rule (see the module docstring)."""
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    if lower.shape != upper.shape or np.any(~np.isfinite(lower)) or np.any(~np.isfinite(upper)):
        raise ModelTypeError("PSO needs finite lower and upper bounds on every variable")
    if np.any(lower > upper):
        raise ModelTypeError("PSO got a lower bound above its upper bound")
    start = time.perf_counter()
    rng = np.random.default_rng(settings.seed)
    span = upper - lower
    v_max = settings.max_velocity * span
    position = lower + rng.random((settings.swarm_size, lower.size)) * span
    velocity = (rng.random(position.shape) * 2 - 1) * v_max
    objective, violation = fitness(position)
    best_position, best_objective, best_violation = position.copy(), objective.copy(), violation.copy()
    epsilon_start = max(float(np.quantile(violation, 0.2)), settings.equality_tolerance)

    def epsilon_at(iteration: int) -> float:
        cut = 0.8 * settings.iterations
        if iteration >= cut:
            return settings.equality_tolerance
        return max(settings.equality_tolerance, epsilon_start * (1 - iteration / cut) ** 5)

    def leader(epsilon: float) -> int:
        excess = np.where(best_violation <= epsilon, 0.0, best_violation)
        return int(np.lexsort((best_objective, excess))[0])

    history = []
    stalled_for = 0
    stopped_by = "iteration_limit"
    iteration = 0
    previous_best = math.inf
    for iteration in range(1, settings.iterations + 1):
        epsilon = epsilon_at(iteration)
        g = leader(epsilon)
        w, c1, c2 = settings.coefficients(iteration / settings.iterations)
        r1 = rng.random(position.shape)
        r2 = rng.random(position.shape)
        velocity = w * velocity + c1 * r1 * (best_position - position) + c2 * r2 * (best_position[g] - position)
        velocity = np.clip(velocity, -v_max, v_max)
        position = np.clip(position + velocity, lower, upper)
        objective, violation = fitness(position)
        improved = _better(objective, violation, best_objective, best_violation, epsilon)
        best_position[improved] = position[improved]
        best_objective[improved] = objective[improved]
        best_violation[improved] = violation[improved]

        g = leader(epsilon)
        score = best_objective[g] if best_violation[g] <= epsilon else math.inf
        history.append(score)
        feasible_phase = epsilon <= settings.equality_tolerance
        if feasible_phase and previous_best - score <= settings.tolerance * max(1.0, abs(score)):
            stalled_for += 1
        else:
            stalled_for = 0
        previous_best = min(previous_best, score)
        if stalled_for >= settings.stall_iterations:
            stopped_by = "stalled"
            break
        if settings.time_limit is not None and time.perf_counter() - start > settings.time_limit:
            stopped_by = "time_limit"
            break
    g = leader(settings.equality_tolerance)
    return PSOOutcome(
        x=best_position[g].copy(),
        objective=float(best_objective[g]),
        violation=float(best_violation[g]),
        iterations=iteration,
        stopped_by=stopped_by,
        history=np.asarray(history),
    )


def pso_status(outcome: PSOOutcome, settings: PSOSettings) -> tuple[Status, str]:
    """What a swarm's end proves: never optimality; a limit is named; infeasibility is only suspected."""
    feasible = outcome.violation <= settings.equality_tolerance
    if outcome.stopped_by == "stalled":
        if feasible:
            return Status.CONVERGED, (
                f"swarm converged: no improvement above {settings.tolerance:g} for {settings.stall_iterations} "
                "iterations (a heuristic: optimality is not proved)"
            )
        return Status.NO_FEASIBLE_POINT, (
            f"swarm converged without a feasible point: the best particle violates the constraints by "
            f"{outcome.violation:.3g} (infeasibility is not proved)"
        )
    status = Status.TIME_LIMIT if outcome.stopped_by == "time_limit" else Status.ITERATION_LIMIT
    limit = (
        f"time limit of {settings.time_limit:g} s"
        if status is Status.TIME_LIMIT
        else (f"iteration limit of {settings.iterations}")
    )
    found = "best feasible point" if feasible else f"no feasible point (violation {outcome.violation:.3g})"
    return status, f"stopped by the {limit} before the swarm converged; {found} returned"


def _search_box(
    names: Sequence[str], lower: np.ndarray, upper: np.ndarray, settings: PSOSettings
) -> tuple[np.ndarray, np.ndarray]:
    """The box the swarm searches: the model's bounds, with open sides from ``bounds`` or ``default_bound``."""
    lower, upper = lower.copy(), upper.copy()
    unknown = sorted(set(settings.bounds) - set(names))
    if unknown:
        raise SolverOptionError(f"pso option bounds names {unknown[:5]}, which are not free variables of the model")
    for j, name in enumerate(names):
        given = settings.bounds.get(name)
        if lower[j] <= -INFINITY:
            lower[j] = given[0] if given else (-settings.default_bound if settings.default_bound else -INFINITY)
        if upper[j] >= INFINITY:
            upper[j] = given[1] if given else (settings.default_bound if settings.default_bound else INFINITY)
    unbounded = [name for name, lo, up in zip(names, lower, upper) if lo <= -INFINITY or up >= INFINITY]
    if unbounded:
        raise ModelTypeError(
            f"PSO searches a box, and variable {unbounded[0]} has no finite "
            f"{'lower' if lower[names.index(unbounded[0])] <= -INFINITY else 'upper'} bound"
            f"{f' (nor do {unbounded[1:5]})' if len(unbounded) > 1 else ''}; bound it in the model, or set "
            '[solver.pso] default_bound = 1e3, or bounds = {"NAME" = [lower, upper]}'
        )
    return lower, upper


def solve_pso(structure: ModelStructure, options: Mapping[str, Any], solver_name: str = "pso") -> SolveResult:
    """Minimise (or maximise) a box-bounded continuous Pyomo model with :func:`pso_minimise`."""
    start = time.perf_counter()
    if structure.integer_variables:
        raise ModelTypeError(
            f"PSO here is continuous; the model has integer variables {list(structure.integer_variables)[:5]}"
        )
    settings = PSOSettings.from_options(options)
    nlp = compile_model(structure)
    lower, upper = _search_box(nlp.names, nlp.x_lower, nlp.x_upper, settings)
    evaluate = nlp.batch(settings.swarm_size)
    g_lower = np.where(nlp.g_lower <= -INFINITY, -np.inf, nlp.g_lower)[:, None]
    g_upper = np.where(nlp.g_upper >= INFINITY, np.inf, nlp.g_upper)[:, None]

    def fitness(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f, g_flat = evaluate(points.T)  # the transpose's column-major order is each point's n values in turn
        objective = np.where(np.isnan(f), np.inf, f)
        if nlp.m == 0:
            return objective, np.zeros(points.shape[0])
        g = g_flat.reshape((nlp.m, points.shape[0]), order="F")
        violation = np.maximum(g_lower - g, 0.0).sum(axis=0) + np.maximum(g - g_upper, 0.0).sum(axis=0)
        return objective, np.where(np.isnan(violation), np.inf, violation)

    outcome = pso_minimise(fitness, lower, upper, settings)
    status, message = pso_status(outcome, settings)
    for variable, value in zip(structure.variables, outcome.x):
        variable.set_value(float(value), skip_validation=True)
    return SolveResult(
        status=status,
        termination_condition=outcome.stopped_by,
        objective=outcome.objective * nlp.sense,
        values=dict(zip(nlp.names, map(float, outcome.x))),
        solver=solver_name,
        route=f"evgames PSO ({settings.schedule}, seed {settings.seed}, {settings.swarm_size} particles)",
        wall_time=time.perf_counter() - start,
        iterations=outcome.iterations,
        message=message,
    )
