"""Ipopt through cyipopt, without the AMPL Solver Library.

Pyomo's ``SolverFactory('cyipopt')`` needs PyNumero's ASL library, which pip cannot install, and
``SolverFactory('ipopt')`` needs an ``ipopt`` executable that no PyPI package provides. This adapter
hands the CasADi functions of :mod:`evgames.solvers.casadi_bridge` (exact gradient, sparse Jacobian,
sparse lower-triangular Hessian of the Lagrangian) to ``cyipopt.Problem``. cyipopt comes from the
``cyipopt-wheels`` distribution, which bundles Ipopt with MUMPS.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from typing import Any

import cyipopt
import numpy as np

from evgames.solvers.casadi_bridge import CompiledNLP, compile_model
from evgames.solvers.errors import SolverOptionError
from evgames.solvers.native_output import captured_native_stdout
from evgames.solvers.result import SolveResult, Status
from evgames.solvers.structure import ModelStructure

__all__ = ["ROUTE", "solve_ipopt"]

ROUTE = "cyipopt+casadi (Ipopt {}.{}.{})".format(*cyipopt.IPOPT_VERSION)

#: Ipopt's ApplicationReturnStatus -> solver-independent status.
_STATUS = {
    0: Status.OPTIMAL,
    1: Status.ACCEPTABLE,
    2: Status.INFEASIBLE,
    3: Status.UNKNOWN,  # search direction too small: often converged, never proven
    4: Status.UNBOUNDED,  # diverging iterates
    5: Status.ERROR,  # user requested stop
    6: Status.UNKNOWN,  # feasible point found (square problems)
    -1: Status.ITERATION_LIMIT,
    -4: Status.TIME_LIMIT,
    -5: Status.TIME_LIMIT,
}

#: Options the adapter sets unless the caller overrides them: silent, no banner, a tolerance of 1e-10
#: (Ipopt's default 1e-8 leaves errors near 1e-9 in the variables of log objectives) and no bound
#: relaxation (Ipopt's default relaxes every bound by 1e-8, so an optimum on a bound lands 1e-8 off).
DEFAULT_OPTIONS: dict[str, Any] = {"print_level": 0, "sb": "yes", "tol": 1e-10, "bound_relax_factor": 0.0}


def _limit_message(status_code: int, options: Mapping[str, Any], iterations: int) -> str | None:
    """A message naming the limit that stopped Ipopt (cyipopt says "Unknown status" for the wall-clock limit)."""
    if status_code == -1:
        return (
            f"Ipopt stopped by its iteration limit (max_iter = {options.get('max_iter', 3000)}) after {iterations} "
            "iterations, before converging; raise max_iter or look at the model's scaling"
        )
    if status_code in (-4, -5):
        name = "max_cpu_time" if status_code == -4 else "max_wall_time"
        limit = options.get(name, "its default")
        return f"Ipopt stopped by its time limit ({name} = {limit} s) after {iterations} iterations, before converging"
    return None


#: Options Ipopt accepted before in this process, (name, type, value) -> the value that worked: they are set again
#: without capturing Ipopt's complaints, which opens a temporary file and redirects descriptor 1 (about 0.5 ms,
#: a tenth of a small solve).
_ACCEPTED: dict[tuple[str, type, Any], Any] = {}
_UNTRIED = object()


def _set_options(problem: cyipopt.Problem, options: Mapping[str, Any]) -> None:
    """Set every option; an integer also tries as a real number (TOML writes ``30`` for 30.0)."""
    untried = {}
    for name, value in options.items():
        key = (name, type(value), value)
        try:
            accepted = _ACCEPTED.get(key, _UNTRIED)
        except TypeError:  # an unhashable value: Ipopt will say what it thinks of it
            accepted = _UNTRIED
        if accepted is _UNTRIED:
            untried[name] = value
        else:
            problem.add_option(name, accepted)
    if untried:
        _set_untried_options(problem, untried)


def _set_untried_options(problem: cyipopt.Problem, options: Mapping[str, Any]) -> None:
    """Set options, capturing what Ipopt prints about a rejected one for the error message."""
    with captured_native_stdout() as sink:
        for name, value in options.items():
            attempts = [value]
            if isinstance(value, int) and not isinstance(value, bool):
                attempts.append(float(value))
            complaint_starts = os.lseek(sink.fileno(), 0, os.SEEK_CUR)
            complaint_ends = None
            for attempt in attempts:
                try:
                    problem.add_option(name, attempt)
                except (TypeError, ValueError):
                    if complaint_ends is None:
                        complaint_ends = os.lseek(sink.fileno(), 0, os.SEEK_CUR)
                    continue
                with contextlib.suppress(TypeError):
                    _ACCEPTED[(name, type(value), value)] = attempt
                break
            else:
                sink.seek(complaint_starts)
                text = sink.read((complaint_ends or complaint_starts) - complaint_starts)
                said = " ".join(text.decode(errors="replace").split()) or "unknown name or wrong type"
                raise SolverOptionError(f"Ipopt rejected option {name} = {value!r}: {said}")


class _Callbacks:
    """The object cyipopt calls back; it evaluates the compiled CasADi functions."""

    def __init__(self, nlp: CompiledNLP) -> None:
        self.nlp = nlp
        self.iterations = 0
        self._point: bytes | None = None
        self._values: tuple[np.ndarray, ...] = ()
        # The parameter values are the same at every call of this solve: they go into the buffers once.
        self._first_order = nlp.first_order
        self._second_order = nlp.second_order
        self._first_order.set_input(1, nlp.p)
        self._second_order.set_input(3, nlp.p)

    def _evaluate(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        # Ipopt asks for f, ∇f, g and J at the same point in separate calls; one CasADi call serves all
        # four (each call costs tens of microseconds, which dominates small problems).
        key = x.tobytes()
        if key != self._point:
            self._values = tuple(self._first_order(x))
            self._point = key
        return self._values

    def objective(self, x: np.ndarray) -> float:
        return float(self._evaluate(x)[0][0])

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self._evaluate(x)[1]

    def constraints(self, x: np.ndarray) -> np.ndarray:
        return self._evaluate(x)[2]

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        return self._evaluate(x)[3]

    def jacobianstructure(self) -> tuple[np.ndarray, np.ndarray]:
        return self.nlp.jacobian_structure

    def hessian(self, x: np.ndarray, multipliers: np.ndarray, objective_factor: float) -> np.ndarray:
        return self._second_order(x, multipliers, objective_factor)[0]

    def hessianstructure(self) -> tuple[np.ndarray, np.ndarray]:
        return self.nlp.hessian_structure

    def intermediate(self, alg_mod: int, iter_count: int, *_args: Any) -> bool:
        self.iterations = iter_count
        return True


def solve_ipopt(structure: ModelStructure, options: Mapping[str, Any], solver_name: str = "ipopt") -> SolveResult:
    """Solve an inspected continuous model with Ipopt; ``options`` are Ipopt's own option names."""
    start = time.perf_counter()
    nlp = compile_model(structure)
    callbacks = _Callbacks(nlp)
    problem = cyipopt.Problem(
        n=nlp.n,
        m=nlp.m,
        problem_obj=callbacks,
        lb=nlp.x_lower,
        ub=nlp.x_upper,
        cl=nlp.g_lower,
        cu=nlp.g_upper,
    )
    _set_options(problem, {**DEFAULT_OPTIONS, **options})
    x, info = problem.solve(nlp.x0)
    status_code = int(info["status"])
    status = _STATUS.get(status_code, Status.ERROR)
    message = info["status_msg"].decode() if isinstance(info["status_msg"], bytes) else str(info["status_msg"])
    if status_code == -12:
        raise SolverOptionError(f"Ipopt rejected an option value: {message}")
    message = _limit_message(status_code, {**DEFAULT_OPTIONS, **options}, callbacks.iterations) or message
    for variable, value in zip(structure.variables, x):
        variable.set_value(float(value), skip_validation=True)
    return SolveResult(
        status=status,
        termination_condition=message,
        objective=float(info["obj_val"]) * nlp.sense,
        values=dict(zip(nlp.names, map(float, x))),
        solver=solver_name,
        route=ROUTE,
        wall_time=time.perf_counter() - start,
        iterations=callbacks.iterations,
        message=message,
        # Ipopt's Lagrangian is f + λ'g + (z_U - z_L)'x for min f = sense * objective, so the derivative of the
        # objective with respect to a row bound is -sense * λ, and to a variable bound sense * (z_L - z_U).
        duals=dict(zip(nlp.constraint_names, map(float, -nlp.sense * np.atleast_1d(info["mult_g"])))),
        reduced_costs=dict(
            zip(nlp.names, map(float, nlp.sense * (np.atleast_1d(info["mult_x_L"]) - np.atleast_1d(info["mult_x_U"]))))
        ),
    )
