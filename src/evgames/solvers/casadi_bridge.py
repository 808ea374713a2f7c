"""Translate a Pyomo model into CasADi functions with exact sparse derivatives.

This replaces the AMPL Solver Library (ASL) that Pyomo's own cyipopt interface needs and pip cannot
install. The expression tree of every active objective and constraint is walked once into CasADi SX
symbols; CasADi's algorithmic differentiation then gives the gradient, the sparse constraint Jacobian
and the sparse lower-triangular Hessian of the Lagrangian. Fixed variables and parameters (mutable
ones included) enter as their current numeric values; named ``Expression`` components are expanded.

The same compiled functions serve the Ipopt adapter (:mod:`evgames.solvers.ipopt`) and the vectorised
swarm evaluation of :mod:`evgames.solvers.pso`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import casadi as ca
import numpy as np
import pyomo.core.expr.numeric_expr as nx
import pyomo.core.expr.relational_expr as rx
import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.expr.visitor import StreamBasedExpressionVisitor

from evgames.solvers.errors import ModelTypeError
from evgames.solvers.structure import ModelStructure

__all__ = ["INFINITY", "CompiledNLP", "FastFunction", "compile_model"]

#: What Ipopt treats as an infinite bound (its ``nlp_upper_bound_inf`` default is 1e19).
INFINITY = 2e19

_UNARY: dict[str, Callable[[Any], Any]] = {
    "log": ca.log,
    "log10": ca.log10,
    "exp": ca.exp,
    "sqrt": ca.sqrt,
    "sin": ca.sin,
    "cos": ca.cos,
    "tan": ca.tan,
    "asin": ca.asin,
    "acos": ca.acos,
    "atan": ca.atan,
    "sinh": ca.sinh,
    "cosh": ca.cosh,
    "tanh": ca.tanh,
    "asinh": ca.asinh,
    "acosh": ca.acosh,
    "atanh": ca.atanh,
}


def _sum(_node: Any, args: Sequence[Any]) -> Any:
    # One CasADi call for the whole sum: every SWIG call costs tens of microseconds.
    if len(args) > 2:
        return ca.sum1(ca.vertcat(*args))
    return sum(args[1:], args[0]) if args else 0.0


def _product(_node: Any, args: Sequence[Any]) -> Any:
    return args[0] * args[1]


def _division(_node: Any, args: Sequence[Any]) -> Any:
    return args[0] / args[1]


def _power(_node: Any, args: Sequence[Any]) -> Any:
    return args[0] ** args[1]


def _negation(_node: Any, args: Sequence[Any]) -> Any:
    return -args[0]


def _absolute(_node: Any, args: Sequence[Any]) -> Any:
    return ca.fabs(args[0])


def _unary(node: Any, args: Sequence[Any]) -> Any:
    name = node.getname()
    if name not in _UNARY:
        raise ModelTypeError(
            f"function '{name}' has no derivative (it is not smooth); the Ipopt adapter supports {sorted(_UNARY)}"
        )
    return _UNARY[name](args[0])


def _maximum(_node: Any, args: Sequence[Any]) -> Any:
    result = args[0]
    for arg in args[1:]:
        result = ca.fmax(result, arg)
    return result


def _minimum(_node: Any, args: Sequence[Any]) -> Any:
    result = args[0]
    for arg in args[1:]:
        result = ca.fmin(result, arg)
    return result


def _if_else(_node: Any, args: Sequence[Any]) -> Any:
    return ca.if_else(args[0], args[1], args[2])


def _equality(_node: Any, args: Sequence[Any]) -> Any:
    return args[0] == args[1]


def _inequality(node: Any, args: Sequence[Any]) -> Any:
    return args[0] < args[1] if node.strict else args[0] <= args[1]


def _ranged(node: Any, args: Sequence[Any]) -> Any:
    lower = args[0] < args[1] if node.strict[0] else args[0] <= args[1]
    upper = args[1] < args[2] if node.strict[1] else args[1] <= args[2]
    return ca.logic_and(lower, upper)


# Order matters: subclasses (AbsExpression is a UnaryFunctionExpression) come before their bases.
_HANDLER_TABLE: tuple[tuple[type, Callable[[Any, Sequence[Any]], Any]], ...] = (
    (nx.LinearExpression, _sum),
    (nx.SumExpression, _sum),
    (nx.MonomialTermExpression, _product),
    (nx.ProductExpression, _product),
    (nx.DivisionExpression, _division),
    (nx.PowExpression, _power),
    (nx.NegationExpression, _negation),
    (nx.AbsExpression, _absolute),
    (nx.UnaryFunctionExpression, _unary),
    (nx.MaxExpression, _maximum),
    (nx.MinExpression, _minimum),
    (nx.Expr_ifExpression, _if_else),
    (rx.EqualityExpression, _equality),
    (rx.InequalityExpression, _inequality),
    (rx.RangedExpression, _ranged),
)
_HANDLERS: dict[type, Callable[[Any, Sequence[Any]], Any]] = {}


def _handler(node_type: type) -> Callable[[Any, Sequence[Any]], Any]:
    handler = _HANDLERS.get(node_type)
    if handler is None:
        for base, candidate in _HANDLER_TABLE:
            if issubclass(node_type, base):
                handler = candidate
                break
        else:
            raise ModelTypeError(f"the Ipopt adapter cannot differentiate a {node_type.__name__} expression")
        _HANDLERS[node_type] = handler
    return handler


class _ToCasadi(StreamBasedExpressionVisitor):
    """Walk a Pyomo expression into a CasADi SX expression (non-recursive, so deep trees are fine)."""

    def __init__(self, symbol_of: dict[int, Any]) -> None:
        super().__init__()
        self.symbol_of = symbol_of
        # A named Expression used in many places is translated once (the SX graph shares it).
        self.named: dict[int, Any] = {}

    def initializeWalker(self, expr: Any) -> tuple[bool, Any]:
        descend, result = self.beforeChild(None, expr, 0)
        return (True, None) if descend else (False, result)

    def beforeChild(self, node: Any, child: Any, child_idx: int) -> tuple[bool, Any]:
        if type(child) in native_numeric_types:
            return False, float(child)
        if type(child) is nx.LinearExpression:
            return False, self._linear(child)
        if child.is_expression_type():
            if child.is_named_expression_type() and id(child) in self.named:
                return False, self.named[id(child)]
            return True, None
        if child.is_variable_type():
            if child.fixed:
                return False, float(pyo.value(child))
            return False, self.symbol_of[id(child)]
        return False, float(pyo.value(child))

    def _linear(self, expr: nx.LinearExpression) -> Any:
        """A linear expression as one dot product instead of a node per term."""
        constant = 0.0
        coefficients: list[float] = []
        symbols: list[Any] = []
        for term in expr.args:
            if type(term) in native_numeric_types:
                constant += float(term)
                continue
            if type(term) is nx.MonomialTermExpression:
                coefficient, variable = term.args
            elif term.is_variable_type():
                coefficient, variable = 1.0, term
            else:
                constant += float(pyo.value(term))
                continue
            if variable.fixed:
                constant += float(pyo.value(coefficient)) * float(variable.value)
            else:
                coefficients.append(float(pyo.value(coefficient)))
                symbols.append(self.symbol_of[id(variable)])
        if not symbols:
            return constant
        if len(symbols) == 1:
            result = symbols[0] if coefficients[0] == 1.0 else coefficients[0] * symbols[0]
        else:
            result = ca.dot(ca.DM(coefficients), ca.vertcat(*symbols))
        return result + constant if constant else result

    def exitNode(self, node: Any, data: list[Any]) -> Any:
        if node.is_named_expression_type():
            self.named[id(node)] = data[0]
            return data[0]
        return _handler(type(node))(node, data)


class FastFunction:
    """Evaluate a CasADi function through its preallocated buffer: ~1 µs per call instead of ~70 µs.

    Inputs are copied into fixed numpy arrays and outputs are written into fixed numpy arrays (the
    nonzeros of each output, so outputs must be dense or already nonzero vectors). The returned arrays
    are overwritten by the next call: copy them to keep them.
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

    def __call__(self, *arguments: Any) -> list[np.ndarray]:
        """Evaluate at ``arguments`` (array-likes, matrices flattened column-major)."""
        for target, value in zip(self.inputs, arguments):
            target[:] = np.ravel(value, order="F")
        self._evaluate()
        return self.outputs


class CompiledNLP:
    """A Pyomo model as CasADi functions, in minimisation form ``min f(x) s.t. g_l <= g(x) <= g_u``.

    Functions and derivatives are built on first use, so a route pays only for what it calls (the
    swarm needs no derivatives; Ipopt needs no separate objective function).

    Attributes:
        names: Pyomo names of the variables, in the order of x.
        constraint_names: Pyomo names of the constraints, in the order of g.
        sense: +1 when the model minimises, -1 when it maximises (f = sense * objective).
        x0, x_lower, x_upper: Starting point and variable bounds (±INFINITY where unbounded).
        g_lower, g_upper: Constraint bounds (±INFINITY where one-sided).
    """

    def __init__(
        self,
        names: tuple[str, ...],
        constraint_names: tuple[str, ...],
        sense: float,
        bounds: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        symbols: tuple[Any, Any, Any],
    ) -> None:
        self.names = names
        self.constraint_names = constraint_names
        self.sense = sense
        self.x0, self.x_lower, self.x_upper, self.g_lower, self.g_upper = bounds
        self._x, self._f, self._g = symbols

    @property
    def n(self) -> int:
        """Number of variables."""
        return len(self.names)

    @property
    def m(self) -> int:
        """Number of constraints."""
        return len(self.constraint_names)

    @functools.cached_property
    def objective(self) -> ca.Function:
        """f(x)."""
        return ca.Function("objective", [self._x], [self._f])

    @functools.cached_property
    def constraints(self) -> ca.Function:
        """g(x)."""
        return ca.Function("constraints", [self._x], [self._g])

    @functools.cached_property
    def _gradient(self) -> Any:
        return ca.gradient(self._f, self._x)

    @functools.cached_property
    def gradient(self) -> ca.Function:
        """∇f(x)."""
        return ca.Function("gradient", [self._x], [self._gradient])

    @functools.cached_property
    def _jacobian(self) -> tuple[ca.Function, tuple[np.ndarray, np.ndarray]]:
        return _nonzero_function("jacobian", [self._x], ca.jacobian(self._g, self._x))

    @property
    def jacobian(self) -> ca.Function:
        """Nonzeros of the constraint Jacobian at x, in the order of ``jacobian_structure``."""
        return self._jacobian[0]

    @property
    def jacobian_structure(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the Jacobian's nonzeros."""
        return self._jacobian[1]

    @functools.cached_property
    def first_order(self) -> FastFunction:
        """f, ∇f, g and the Jacobian's nonzeros from one buffered call."""
        outputs = [ca.densify(self._f), ca.densify(self._gradient), ca.densify(self._g), self.jacobian(self._x)]
        return FastFunction(ca.Function("first_order", [self._x], outputs))

    @functools.cached_property
    def second_order(self) -> FastFunction:
        """The Hessian's nonzeros at (x, λ, σ) from one buffered call."""
        return FastFunction(self.hessian)

    @functools.cached_property
    def _hessian(self) -> tuple[ca.Function, tuple[np.ndarray, np.ndarray]]:
        multipliers = ca.SX.sym("lambda", self.m)
        objective_factor = ca.SX.sym("sigma")
        lagrangian = objective_factor * self._f + (ca.dot(multipliers, self._g) if self.m else 0)
        lower = ca.tril(ca.hessian(lagrangian, self._x)[0])
        return _nonzero_function("hessian", [self._x, multipliers, objective_factor], lower)

    @property
    def hessian(self) -> ca.Function:
        """Nonzeros of the lower triangle of σ∇²f + Σ λ_j ∇²g_j at (x, λ, σ)."""
        return self._hessian[0]

    @property
    def hessian_structure(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the Hessian's nonzeros; row >= col, as Ipopt expects."""
        return self._hessian[1]

    def batch(self, points: int) -> FastFunction:
        """Objective and constraints at ``points`` points at once.

        The input is the (n, points) matrix of points as columns; the outputs are f with shape
        (points,) and g flattened column-major with shape (m * points,).
        """
        both = ca.Function("both", [self._x], [ca.densify(self._f), ca.densify(self._g)])
        return FastFunction(both.map(points))


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
    nonzeros = ca.vertcat(*matrix.nonzeros()) if matrix.nnz() else ca.SX(0, 1)
    function = ca.Function(name, inputs, [nonzeros])
    return function, (np.asarray(rows, dtype=int), np.asarray(cols, dtype=int))


def compile_model(structure: ModelStructure) -> CompiledNLP:
    """Compile the active objective and constraints of an inspected model into a :class:`CompiledNLP`."""
    variables = structure.variables
    x = ca.SX.sym("x", len(variables))
    symbol_of = {id(v): symbol for v, symbol in zip(variables, ca.vertsplit(x))}
    walker = _ToCasadi(symbol_of)

    objective = structure.objective
    sense = 1.0 if objective is None or objective.sense == pyo.minimize else -1.0
    f = sense * ca.SX(walker.walk_expression(objective.expr)) if objective is not None else ca.SX(0.0)

    bodies, g_lower, g_upper = [], [], []
    for constraint in structure.constraints:
        lower, body, upper = constraint.to_bounded_expression(evaluate_bounds=True)
        bodies.append(ca.SX(walker.walk_expression(body)))
        g_lower.append(_bound(lower, -INFINITY))
        g_upper.append(_bound(upper, INFINITY))
    g = ca.vertcat(*bodies) if bodies else ca.SX(0, 1)

    bounds = (
        np.array([_starting_point(v) for v in variables], dtype=float),
        np.array([_bound(v.lb, -INFINITY) for v in variables], dtype=float),
        np.array([_bound(v.ub, INFINITY) for v in variables], dtype=float),
        np.array(g_lower, dtype=float),
        np.array(g_upper, dtype=float),
    )
    return CompiledNLP(
        names=tuple(v.name for v in variables),
        constraint_names=tuple(c.name for c in structure.constraints),
        sense=sense,
        bounds=bounds,
        symbols=(x, f, g),
    )
