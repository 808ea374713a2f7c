"""Translate a Pyomo model into CasADi functions with exact sparse derivatives.

This replaces the AMPL Solver Library (ASL) that Pyomo's own cyipopt interface needs and pip cannot
install. The expressions of the active objective and constraints are recorded once on a tape
(:mod:`evgames.solvers.expression_tape`) and built into CasADi SX symbols by vectorised calls; CasADi's
algorithmic differentiation then gives the gradient, the sparse constraint Jacobian and the sparse
lower-triangular Hessian of the Lagrangian. Mutable parameters and fixed variables are the entries of a
parameter symbol ``p`` whose values are read at each solve, and variable and constraint bounds are read at
each solve too: the compiled functions of a model are kept with its structure
(:func:`evgames.solvers.structure.inspect_model`) and serve every re-solve until the structure changes.
Named ``Expression`` components are expanded.

The same compiled functions serve the Ipopt adapter (:mod:`evgames.solvers.ipopt`) and the vectorised
swarm evaluation of :mod:`evgames.solvers.pso`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import casadi as ca
import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.component_namer import index_repr

from evgames.solvers.expression_tape import deep_recursion
from evgames.solvers.structure import ModelStructure, ModelTape, walk

__all__ = ["INFINITY", "CompiledNLP", "FastFunction", "compile_model"]

#: What Ipopt treats as an infinite bound (its ``nlp_upper_bound_inf`` default is 1e19).
INFINITY = 2e19


class FastFunction:
    """Evaluate a CasADi function through its preallocated buffer: ~1 µs per call instead of ~70 µs.

    Inputs are copied into fixed numpy arrays and outputs are written into fixed numpy arrays (the
    nonzeros of each output, so outputs must be dense or already nonzero vectors). The returned arrays
    are overwritten by the next call: copy them to keep them. A call may give fewer arguments than the
    function takes: the trailing inputs keep what :meth:`set_input` (or an earlier call) put there, which
    is how the parameter values are given once per solve instead of at every call.
    """

    def __init__(self, function: ca.Function) -> None:
        self.function = function
        self._buffer, self._evaluate = function.buffer()
        self.inputs = [np.zeros(function.nnz_in(i)) for i in range(function.n_in())]
        self.outputs = [np.zeros(function.nnz_out(i)) for i in range(function.n_out())]
        # CasADi's documented call is set_arg(i, memoryview(a)); its typemap supplies the byte size,
        # which the generated stubs list as a separate argument.
        for i, array in enumerate(self.inputs):
            self._buffer.set_arg(i, memoryview(array))  # type: ignore[call-arg, arg-type]
        for i, array in enumerate(self.outputs):
            self._buffer.set_res(i, memoryview(array))  # type: ignore[call-arg, arg-type]

    def set_input(self, index: int, value: Any) -> None:
        """Put ``value`` in input ``index`` for the following calls."""
        self.inputs[index][:] = np.ravel(value, order="F")

    def __call__(self, *arguments: Any) -> list[np.ndarray]:
        """Evaluate at ``arguments`` (array-likes, matrices flattened column-major)."""
        for target, value in zip(self.inputs, arguments):
            target[:] = np.ravel(value, order="F")
        self._evaluate()
        return self.outputs


def _bound(value: Any, default: float) -> float:
    if value is None:
        return default
    number = float(value)
    if math.isinf(number):
        return math.copysign(INFINITY, number)
    return number


def _starting_point(variable: Any) -> float:
    """The variable's value, else a point inside its bounds.

    A start on a bound is avoided: where the objective has a log barrier-like term there, Ipopt's
    gradient-based scaling would shrink the objective by orders of magnitude and lose accuracy.
    """
    if variable.value is not None:
        return float(variable.value)
    lower, upper = variable.lb, variable.ub
    if lower is not None and upper is not None:
        return (float(lower) + float(upper)) / 2
    if lower is not None:
        return float(lower) + 1.0
    if upper is not None:
        return float(upper) - 1.0
    return 0.0


def _nonzero_function(name: str, inputs: list[Any], matrix: Any) -> tuple[ca.Function, tuple]:
    """A function returning the structural nonzeros of ``matrix`` as a dense column, and their positions."""
    sparsity = matrix.sparsity()
    rows, cols = sparsity.get_triplet()
    # Reinterpreting the nonzeros as a dense column is one call, where vertcat(*matrix.nonzeros()) is one per entry.
    nonzeros = ca.sparsity_cast(matrix, ca.Sparsity.dense(matrix.nnz(), 1)) if matrix.nnz() else ca.SX(0, 1)
    function = ca.Function(name, inputs, [nonzeros])
    return function, (np.asarray(rows, dtype=int), np.asarray(cols, dtype=int))


def _names(components: Sequence[Any]) -> tuple[str, ...]:
    """Pyomo's full names of component data, as ``getname`` builds them, with each parent's name built once.

    Pyomo builds the parent's name (walking up the blocks) again for every index: half the cost of naming the
    10,000 variables of a large model.
    """
    parent_names: dict[int, str] = {}
    names = []
    for data in components:
        parent = data.parent_component()
        if parent is data or parent is None:  # a scalar component, or one whose model is gone: Pyomo's own name
            names.append(data.name)
            continue
        base = parent_names.get(id(parent))
        if base is None:
            base = parent_names[id(parent)] = parent.name
        names.append(base + index_repr(data.index()))
    return tuple(names)


def _parameter_value(parameter: Any) -> float:
    value = parameter.value
    if value is None:
        raise ValueError(f"{parameter.name} has no value: give it one before solving")
    return float(value)


class CompiledNLP:
    """A Pyomo model as CasADi functions, in minimisation form ``min f(x; p) s.t. g_l <= g(x; p) <= g_u``.

    Functions and derivatives are built on first use, so a route pays only for what it calls (the
    swarm needs no derivatives; Ipopt needs no separate objective function). They take the parameter
    values ``p`` as a second input; the methods below pass the values read by the last :meth:`refresh`.

    Attributes:
        names: Pyomo names of the variables, in the order of x.
        constraint_names: Pyomo names of the constraints, in the order of g.
        sense: +1 when the model minimises, -1 when it maximises (f = sense * objective).
        x0, x_lower, x_upper: Starting point and variable bounds (±INFINITY where unbounded), as last read.
        g_lower, g_upper: Constraint bounds (±INFINITY where one-sided), as last read.
        p: Values of the parameters (mutable parameters and fixed variables), as last read.
    """

    def __init__(self, structure: ModelStructure, model_tape: ModelTape, sense: float) -> None:
        self.names = _names(structure.variables)
        self.constraint_names = _names(structure.constraints)
        self.sense = sense
        self._variables = structure.variables
        self._parameters = tuple(model_tape.tape.parameters)
        tape = model_tape.tape
        bodies = [model_tape.constraints[id(c)] for c in structure.constraints]
        self._bounds = [(lower, upper) for _, lower, upper in bodies]
        self._x = ca.SX.sym("x", len(structure.variables))
        self._p = ca.SX.sym("p", len(self._parameters))
        position = {id(v): row for row, v in enumerate(structure.variables)}
        roots = [root for root, _, _ in bodies]
        if model_tape.objective is not None:
            roots.append(model_tape.objective)
        values = tape.to_casadi(roots, self._x, self._p, position)
        self._g = values[: len(bodies)] if bodies else ca.SX(0, 1)
        self._f = sense * values[len(bodies)] if model_tape.objective is not None else ca.SX(0.0)
        self.x0 = self.x_lower = self.x_upper = self.g_lower = self.g_upper = self.p = np.zeros(0)

    def refresh(self) -> None:
        """Read the current starting point, bounds and parameter values from the model."""
        variables = self._variables
        self.x0 = np.array([_starting_point(v) for v in variables], dtype=float)
        # One memo for every bound of this solve: a subexpression shared by many bounds (a total of parameters,
        # say) is evaluated once, where Pyomo's value() would walk it again for each bound.
        memo: dict[int, tuple[Any, Any]] = {}
        with deep_recursion():
            self._read_bounds(memo)
        self.p = np.array([_parameter_value(parameter) for parameter in self._parameters], dtype=float)

    def _read_bounds(self, memo: dict[int, tuple[Any, Any]]) -> None:
        variables = self._variables
        self.x_lower = np.array([_bound(_value(v.lower, memo), -INFINITY) for v in variables], dtype=float)
        self.x_upper = np.array([_bound(_value(v.upper, memo), INFINITY) for v in variables], dtype=float)
        self.g_lower = np.array([_bound(_value(lower, memo), -INFINITY) for lower, _ in self._bounds], dtype=float)
        self.g_upper = np.array([_bound(_value(upper, memo), INFINITY) for _, upper in self._bounds], dtype=float)

    @property
    def n(self) -> int:
        """Number of variables."""
        return len(self.names)

    @property
    def m(self) -> int:
        """Number of constraints."""
        return len(self.constraint_names)

    @functools.cached_property
    def objective_function(self) -> ca.Function:
        """f(x, p)."""
        return ca.Function("objective", [self._x, self._p], [self._f])

    @functools.cached_property
    def constraints_function(self) -> ca.Function:
        """g(x, p)."""
        return ca.Function("constraints", [self._x, self._p], [self._g])

    @functools.cached_property
    def _gradient(self) -> Any:
        return ca.gradient(self._f, self._x)

    @functools.cached_property
    def gradient_function(self) -> ca.Function:
        """∇f(x, p)."""
        return ca.Function("gradient", [self._x, self._p], [self._gradient])

    @functools.cached_property
    def _jacobian_matrix(self) -> Any:
        return ca.jacobian(self._g, self._x)

    @functools.cached_property
    def _jacobian(self) -> tuple[ca.Function, tuple[np.ndarray, np.ndarray]]:
        return _nonzero_function("jacobian", [self._x, self._p], self._jacobian_matrix)

    @property
    def jacobian_function(self) -> ca.Function:
        """Nonzeros of the constraint Jacobian at (x, p), in the order of ``jacobian_structure``."""
        return self._jacobian[0]

    @property
    def jacobian_structure(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the Jacobian's nonzeros."""
        return self._jacobian[1]

    @functools.cached_property
    def _hessian(self) -> tuple[ca.Function, tuple[np.ndarray, np.ndarray]]:
        multipliers = ca.SX.sym("lambda", self.m)
        objective_factor = ca.SX.sym("sigma")
        # The Jacobian of the Lagrangian's gradient, built from the gradient and constraint Jacobian already there:
        # a third cheaper than ca.hessian, which differentiates the whole graph in reverse mode again.
        gradient = objective_factor * self._gradient
        if self.m:
            gradient = gradient + ca.mtimes(self._jacobian_matrix.T, multipliers)
        lower = ca.tril(ca.jacobian(gradient, self._x))
        return _nonzero_function("hessian", [self._x, multipliers, objective_factor, self._p], lower)

    @property
    def hessian_function(self) -> ca.Function:
        """Nonzeros of the lower triangle of σ∇²f + Σ λ_j ∇²g_j at (x, λ, σ, p)."""
        return self._hessian[0]

    @property
    def hessian_structure(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the Hessian's nonzeros; row >= col, as Ipopt expects."""
        return self._hessian[1]

    def objective(self, x: Any) -> Any:
        """The objective f at x and the current parameter values."""
        return self.objective_function(x, self.p)

    def constraints(self, x: Any) -> Any:
        """The constraint bodies g at x and the current parameter values."""
        return self.constraints_function(x, self.p)

    def gradient(self, x: Any) -> Any:
        """∇f at x and the current parameter values."""
        return self.gradient_function(x, self.p)

    def jacobian(self, x: Any) -> Any:
        """The Jacobian's nonzeros at x and the current parameter values."""
        return self.jacobian_function(x, self.p)

    def hessian(self, x: Any, multipliers: Any, objective_factor: float) -> Any:
        """The Hessian's nonzeros at (x, λ, σ) and the current parameter values."""
        return self.hessian_function(x, multipliers, objective_factor, self.p)

    @functools.cached_property
    def first_order(self) -> FastFunction:
        """f, ∇f, g and the Jacobian's nonzeros at (x, p) from one buffered call."""
        outputs = [
            ca.densify(self._f),
            ca.densify(self._gradient),
            ca.densify(self._g),
            self.jacobian_function(self._x, self._p),
        ]
        return FastFunction(ca.Function("first_order", [self._x, self._p], outputs))

    @functools.cached_property
    def second_order(self) -> FastFunction:
        """The Hessian's nonzeros at (x, λ, σ, p) from one buffered call."""
        return FastFunction(self.hessian_function)

    def batch(self, points: int) -> FastFunction:
        """Objective and constraints at ``points`` points at once, at the current parameter values.

        The input is the (n, points) matrix of points as columns; the outputs are f with shape
        (points,) and g flattened column-major with shape (m * points,).
        """
        both = ca.Function("both", [self._x, self._p], [ca.densify(self._f), ca.densify(self._g)])
        # p is shared by every point (reduce_in), and given once here
        evaluate = FastFunction(both.map("batch", "serial", points, [1], []))
        evaluate.set_input(1, self.p)
        return evaluate


def _value(bound: Any, memo: dict[int, tuple[Any, Any]]) -> Any:
    """A bound as a number (None stays None); a bound may be an expression of parameters.

    Evaluated as Pyomo does (each operation's own ``_apply_operation``), with the values of the expressions met
    so far in ``memo``: per id, the expression and its value (the expression held, so that its id stays its own
    while the memo lives).
    """
    if bound is None or type(bound) in native_numeric_types:
        return bound
    if not bound.is_expression_type():
        return pyo.value(bound)  # a parameter, a fixed variable, a numeric constant
    known = memo.get(id(bound))
    if known is None:
        # The expression is kept with its value: a variable's bound under a sign domain (NonNegativeReals, say) is
        # a new temporary expression at each access, and once freed, its id could be taken by the next bound's.
        known = memo[id(bound)] = (bound, bound._apply_operation([_value(argument, memo) for argument in bound.args]))
    return known[1]


def compile_model(structure: ModelStructure) -> CompiledNLP:
    """The active objective and constraints of an inspected model as a :class:`CompiledNLP`.

    The functions are compiled once per model structure and set of constraints; each call reads the
    current starting point, bounds and parameter values into the returned object.
    """
    model_tape = structure.tape if structure.tape is not None else walk(structure.objective, structure.constraints)
    objective = structure.objective
    sense = 1.0 if objective is None or objective.sense == pyo.minimize else -1.0
    key = (sense, tuple(map(id, structure.constraints)), tuple(map(id, structure.variables)))
    nlp = model_tape.compiled.get(key)
    if nlp is None:
        with PauseGC():  # see inspect_model: the translation allocates many small objects too
            nlp = model_tape.compiled[key] = CompiledNLP(structure, model_tape, sense)
    nlp.refresh()
    return nlp
