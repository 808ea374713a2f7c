"""Pyomo -> CasADi translation per expression node, and extended Rosenbrock against SciPy, in one run.

Extended Rosenbrock: f(x) = sum over i < n/2 of 100 (x[2i+1] - x[2i]^2)^2 + (1 - x[2i])^2, started at
x[2i] = -1.2, x[2i+1] = 1 (minimum 0 at x = 1).

Part 1 — translation: for each n, the Pyomo model is built, inspected and translated by
:func:`evgames.solvers.casadi_bridge.compile_model`; the cost is divided by the number of nodes of the
objective's expression tree (leaves included, counted by Pyomo's ``sizeof_expression``) and set against a
plain walk of the same tree (``sizeof_expression`` itself) timed in this run. Each timed translation is of a
model built just before, so nothing of it is cached; "again s" is a second translation of the same model, which
reuses its cached structure and compiled functions (what a re-solve after a parameter change pays).

Part 2 — solve: the whole evgames route (build the Pyomo model + translate + Ipopt with exact CasADi
derivatives) against SciPy's ``trust-constr`` given the exact gradient and the exact sparse Hessian, on the
same problem and start, in this run. Ratio > 1 means evgames is slower. The line under it splits the evgames time
into build, translation, derivatives and Ipopt, and gives the cyclic garbage collector's share of the whole: Pyomo
models are full of reference cycles, so the collector frees each model, during the build of the next one.

Targets (issue #15): translation <= 10 us per node (goal 3 us); Rosenbrock at n = 10,000 within 2x of
``trust-constr`` (goal: no slower). Default run: about a minute.

Usage: python benchmarks/bench_casadi_bridge.py [--sizes 1000 10000] [--solve-sizes 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.visitor import sizeof_expression
from scipy import sparse
from scipy.optimize import minimize
from timing import median_time
from tqdm.auto import tqdm  # progress on stderr; the figures go to stdout

from evgames.solvers import SolverConfig, inspect_model, solve
from evgames.solvers.casadi_bridge import compile_model


def start_point(n: int) -> np.ndarray:
    start = np.ones(n)
    start[0::2] = -1.2
    return start


def build(n: int) -> pyo.ConcreteModel:
    """The extended Rosenbrock function of ``n`` (even) variables as a Pyomo model."""
    model = pyo.ConcreteModel()
    start = start_point(n)
    model.x = pyo.Var(range(n), initialize=lambda _m, i: float(start[i]), doc="x_i")
    model.f = pyo.Objective(
        expr=sum(
            100 * (model.x[2 * i + 1] - model.x[2 * i] ** 2) ** 2 + (1 - model.x[2 * i]) ** 2 for i in range(n // 2)
        ),
        doc="extended Rosenbrock",
    )
    return model


def translate(model: pyo.ConcreteModel) -> int:
    return compile_model(inspect_model(model)).n


def fresh_translation_time(n: int) -> float:
    """Seconds to translate a model built just before (untimed): no structure of it is cached yet."""
    model = build(n)
    start = time.perf_counter()
    translate(model)
    return time.perf_counter() - start


def evgames_route(n: int) -> np.ndarray:
    """Build + translate + solve through evgames (Ipopt, exact derivatives from CasADi)."""
    model = build(n)
    solve(model, SolverConfig(name="ipopt", tolerance=1e-8))
    return np.array([model.x[i].value for i in range(n)])


def value(x: np.ndarray) -> float:
    odd, even = x[1::2], x[0::2]
    return float(np.sum(100 * (odd - even**2) ** 2 + (1 - even) ** 2))


def gradient(x: np.ndarray) -> np.ndarray:
    odd, even = x[1::2], x[0::2]
    grad = np.empty_like(x)
    grad[0::2] = -400 * even * (odd - even**2) - 2 * (1 - even)
    grad[1::2] = 200 * (odd - even**2)
    return grad


def hessian(x: np.ndarray) -> sparse.csr_matrix:
    """Block-diagonal 2x2 Hessian, sparse."""
    odd, even = x[1::2], x[0::2]
    n = len(x)
    diagonal = np.empty(n)
    diagonal[0::2] = 1200 * even**2 - 400 * odd + 2
    diagonal[1::2] = 200.0
    off = np.zeros(n - 1)
    off[0::2] = -400 * even
    return sparse.diags([off, diagonal, off], [-1, 0, 1], format="csr")


def scipy_route(n: int) -> np.ndarray:
    found = minimize(
        value,
        start_point(n),
        jac=gradient,
        hess=hessian,
        method="trust-constr",
        options={"gtol": 1e-8, "xtol": 1e-12, "maxiter": 5000},
    )
    if not found.success:
        raise RuntimeError(f"trust-constr failed: {found.message}")
    return found.x


def translation(sizes: list[int], repeats: int) -> None:
    print("translation: Pyomo objective -> CasADi (inspect_model + compile_model)")
    print(
        f"{'n':>7} {'nodes':>9} {'walk s':>8} {'translate s':>12} {'us/node':>8} {'/walk':>7} {'/bar':>6} {'/goal':>6} "
        f"{'again s':>8}"
    )
    for n in tqdm(sizes, desc="sizes", unit="n", leave=False):
        model = build(n)
        nodes = sizeof_expression(model.f.expr)
        walk_time, _ = median_time(sizeof_expression, model.f.expr, repeats)
        translate_time = statistics.median(fresh_translation_time(n) for _ in range(repeats))
        translate(model)
        again_time, _ = median_time(translate, model, repeats)  # the same model again: its structure is cached
        per_node = translate_time / nodes * 1e6
        print(
            f"{n:>7} {nodes:>9} {walk_time:8.3f} {translate_time:12.3f} {per_node:8.2f} "
            f"{translate_time / walk_time:7.1f} {per_node / 10:6.2f} {per_node / 3:6.2f} {again_time:8.4f}"
        )


class CollectorTime:
    """Seconds Python's cyclic garbage collector runs while this is entered (read ``seconds`` after).

    Pyomo models are full of reference cycles, so the collector, not reference counting, frees the previous
    model, and it runs at a point decided by allocation counts: in practice during the next model's build.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def _callback(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started

    def __enter__(self) -> CollectorTime:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exception: object) -> None:
        gc.callbacks.remove(self._callback)


def evgames_parts(n: int) -> dict[str, float]:
    """Seconds of each part of :func:`evgames_route`, timed one after the other on one model.

    "of which gc" is the cyclic collector's share of the whole (nearly all of it in the build, freeing the
    model of the run before).
    """
    clock = time.perf_counter
    with CollectorTime() as collector:
        start = clock()
        model = build(n)
        built = clock()
        compiled = compile_model(inspect_model(model))
        translated = clock()
        _ = compiled.first_order, compiled.second_order  # the derivative functions Ipopt calls
        derived = clock()
        solve(model, SolverConfig(name="ipopt", tolerance=1e-8))  # reuses the translation and derivatives above
        solved = clock()
    return {
        "build": built - start,
        "translate": translated - built,
        "derivatives": derived - translated,
        "ipopt": solved - derived,
        "of which gc": collector.seconds,
    }


def solving(sizes: list[int], repeats: int) -> None:
    print("\nextended Rosenbrock: evgames (build + translate + Ipopt) vs scipy trust-constr (exact gradient, Hessian)")
    print(f"{'n':>7} {'build s':>8} {'evgames s':>10} {'scipy s':>8} {'ratio':>7} {'/bar':>6} {'max|x-1|':>9}")
    for n in tqdm(sizes, desc="sizes", unit="n", leave=False):
        build_time = median_time(build, n, repeats)[0]  # the model is dropped: a live one would slow the collector
        ours_time, ours = median_time(evgames_route, n, repeats)
        theirs_time, theirs = median_time(scipy_route, n, repeats)
        ratio = ours_time / theirs_time
        error = max(float(np.max(np.abs(ours - 1))), float(np.max(np.abs(theirs - 1))))
        print(
            f"{n:>7} {build_time:8.2f} {ours_time:10.2f} {theirs_time:8.2f} {ratio:7.2f} {ratio / 2:6.2f} {error:9.1e}"
        )
        parts = [evgames_parts(n) for _ in range(repeats)]
        shares = ", ".join(
            f"{name} {statistics.median(p[name] for p in parts):.2f} s "
            f"({statistics.median(p[name] for p in parts) / theirs_time:.2f}x scipy)"
            for name in parts[0]
        )
        print(f"{'':>7} where the evgames time goes: {shares}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="n for the translation rows")
    parser.add_argument("--solve-sizes", type=int, nargs="+", default=[10000], help="n for the solve rows")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if any(n % 2 for n in args.sizes + args.solve_sizes):
        parser.error("extended Rosenbrock needs an even n")
    translate(build(4))  # start-up: CasADi loaded once
    start = time.perf_counter()
    translation(args.sizes, args.repeats)
    solving(args.solve_sizes, args.repeats)
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
