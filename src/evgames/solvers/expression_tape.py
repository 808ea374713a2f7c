"""Pyomo expressions as a flat tape of operations, turned into CasADi SX by a few vectorised calls.

Every CasADi operation called from Python costs 15–30 µs of SWIG dispatch, whatever its size: an elementwise
product of two scalars costs as much as one of two vectors of 10,000 entries. Translating node by node thus costs
tens of microseconds per node. Here the walk over Pyomo's tree does no CasADi call at all: it records each
operation (its kind, its operands and its depth) in plain lists. The CasADi graph is then built one depth at a
time, with one elementwise call per kind of operation at that depth, and every sum (linear part) of a depth as
one sparse matrix product. A model of 10,000 constraints of the same form thus costs a handful of CasADi calls
per depth instead of one per node.

Free variables become entries of the symbol ``x``; mutable parameters and fixed variables become entries of the
symbol ``p``, whose numeric values are read at each solve, so a compiled model stays valid when they change.
The same walk gives each root's polynomial degree and whether a free variable appears in it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import casadi as ca
import numpy as np
import pyomo.core.expr.numeric_expr as nx
import pyomo.core.expr.relational_expr as rx
import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types

from evgames.solvers.errors import ModelTypeError

__all__ = ["NONPOLYNOMIAL", "ExpressionTape", "deep_recursion"]

#: Degree given to a non-polynomial expression (log, exp, division by a variable, ...).
NONPOLYNOMIAL = 1 << 20

#: Recursion limit during a walk: two Python frames per level of an expression.
_RECURSION_LIMIT = 1_000_000
_RECURSION_LOCK = threading.Lock()
_WALKS: list[int] = []  # the limit before the first walk still running, then one entry per running walk

# Leaf kinds.
_FREE, _PARAMETER, _CONSTANT = 0, 1, 2

# Operation codes. SUM is a weighted sum plus a constant; the others are elementwise CasADi functions.
_SUM = 0
_BINARY: dict[int, Callable[[Any, Any], Any]] = {
    1: ca.times,
    2: ca.rdivide,
    3: ca.power,
    4: ca.fmax,
    5: ca.fmin,
    6: ca.lt,
    7: ca.le,
    8: ca.eq,
    9: ca.logic_and,
}
_MUL, _DIV, _POW, _MAX, _MIN, _LT, _LE, _EQ, _AND = range(1, 10)
_IF = 10


def _parameter_power(base: Any, exponent: Any) -> Any:
    """``base ** exponent`` for an exponent without free variables, exact where the exponent is 0 or 1.

    CasADi differentiates ``x ** p`` as ``p * x ** (p - 1)``: at ``x = 0`` that is ``0 * inf`` (NaN) for ``p = 0``,
    and so is the second derivative for ``p = 1``. The derivatives of the branch not taken are masked.
    """
    return ca.if_else(exponent == 0, 1, ca.if_else(exponent == 1, base, ca.power(base, exponent)))


#: A power whose exponent is not a number but has no free variable (a mutable parameter, say): set in the codes
#: given to the CasADi translation only; the tape itself records it as a power.
_PARAMETER_POW = 98
_BINARY[_PARAMETER_POW] = _parameter_power
_UNSUPPORTED = 99  # recorded so that the model can still be classified; refused when translated to CasADi
_UNARY_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
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
    "abs": ca.fabs,
}
_UNARY_CODE = {name: 11 + position for position, name in enumerate(_UNARY_FUNCTIONS)}
_UNARY: dict[int, Callable[[Any], Any]] = {_UNARY_CODE[name]: function for name, function in _UNARY_FUNCTIONS.items()}

# How the walk treats each Pyomo node type; filled on first sight of a type (subclasses such as the NPV_ forms
# of expressions without variables, and AbsExpression under UnaryFunctionExpression, resolve to their base).
_WEIGHTED_SUM, _MONOMIAL, _NEGATION, _PRODUCT, _DIVISION, _POWER, _FUNCTION = range(7)
_N_ARY_MAX, _N_ARY_MIN, _CONDITIONAL, _EQUALITY, _INEQUALITY, _RANGED = range(7, 13)
_NAMED, _VARIABLE, _PARAMETER_LEAF, _NUMBER, _OTHER_EXPRESSION, _OTHER_LEAF = range(13, 19)
_KIND_TABLE: tuple[tuple[type, int], ...] = (
    (nx.LinearExpression, _WEIGHTED_SUM),
    (nx.SumExpression, _WEIGHTED_SUM),
    (nx.MonomialTermExpression, _MONOMIAL),
    (nx.NegationExpression, _NEGATION),
    (nx.ProductExpression, _PRODUCT),
    (nx.DivisionExpression, _DIVISION),
    (nx.PowExpression, _POWER),
    (nx.UnaryFunctionExpression, _FUNCTION),
    (nx.MaxExpression, _N_ARY_MAX),
    (nx.MinExpression, _N_ARY_MIN),
    (nx.Expr_ifExpression, _CONDITIONAL),
    (rx.EqualityExpression, _EQUALITY),
    (rx.InequalityExpression, _INEQUALITY),
    (rx.RangedExpression, _RANGED),
)
_KIND_OF: dict[type, int] = {kind: _NUMBER for kind in native_numeric_types}
# A condition that is a plain bool (a comparison of numbers or immutable parameters, evaluated by Pyomo) is 1 or 0.
_KIND_OF[bool] = _KIND_OF[np.bool_] = _NUMBER
_MUL_DIV_POW = {_PRODUCT: _MUL, _MONOMIAL: _MUL, _DIVISION: _DIV, _POWER: _POW}


def _kind(node_type: type, node: Any) -> int:
    """How the walk treats ``node``'s type, classified once per type."""
    kind = next((kind for base, kind in _KIND_TABLE if issubclass(node_type, base)), None)
    if kind is None:
        if node.is_named_expression_type():
            kind = _NAMED
        elif node.is_expression_type():
            kind = _OTHER_EXPRESSION  # e.g. an external function: other solvers may take it
        elif node.is_variable_type():
            kind = _VARIABLE
        elif node.is_parameter_type():
            kind = _PARAMETER_LEAF
        else:
            kind = _OTHER_LEAF  # NumericConstant and the like: its value
    _KIND_OF[node_type] = kind
    return kind


def _lookup(references: np.ndarray, of_operation: np.ndarray, of_leaf: np.ndarray) -> np.ndarray:
    """Per reference, its operation's entry of ``of_operation`` or its leaf's entry of ``of_leaf``."""
    result = np.empty(len(references), dtype=np.result_type(of_operation, of_leaf))
    operation = references >= 0
    result[operation] = of_operation[references[operation]]
    result[~operation] = of_leaf[~references[~operation]]
    return result


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Raise the recursion limit for a recursive walk over an expression (two Python frames per level).

    Since Python 3.11 a call from Python to Python takes no C stack, so the limit only guards memory.
    """
    # The limit is process-wide: with walks in several threads, the last one to finish puts it back.
    with _RECURSION_LOCK:
        if not _WALKS:
            _WALKS.append(sys.getrecursionlimit())
            sys.setrecursionlimit(max(_WALKS[0], _RECURSION_LIMIT))
        _WALKS.append(0)
    try:
        yield
    except RecursionError:
        raise ModelTypeError(f"an expression is nested deeper than {_RECURSION_LIMIT // 2} levels") from None
    finally:
        with _RECURSION_LOCK:
            _WALKS.pop()
            if len(_WALKS) == 1:
                sys.setrecursionlimit(_WALKS.pop())


def _sum_entries(arrays: dict[str, np.ndarray], group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The entries of the sums in ``group`` and the row (position in ``group``) of each."""
    counts = arrays["count"][group]
    rows = np.repeat(np.arange(len(group)), counts)
    ends = np.cumsum(counts)
    positions = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - counts, counts)
    return np.repeat(arrays["start"][group], counts) + positions, rows


def _arity(code: int) -> int:
    """Number of operands of an operation other than a sum."""
    if code in _BINARY:
        return 2
    return 3 if code == _IF else 1


class ExpressionTape:
    """The operations of a set of Pyomo expressions, shared subexpressions recorded once.

    A *reference* is an int: ``k >= 0`` is operation ``k``, ``~j`` (negative) is leaf ``j``. Leaves are free
    variables, parameters (mutable ``Param`` data and fixed variables) and numeric constants.

    Attributes:
        variables: Every variable seen (free or fixed), in the order first seen.
        parameters: Parameter leaves in the order of the symbol ``p``.
        named: Named expressions expanded, with the expression each held (to notice a replaced one).
    """

    def __init__(self) -> None:
        self.variables: list[Any] = []
        self.parameters: list[Any] = []
        self.named: list[tuple[Any, Any]] = []
        #: Some power has a parameter as exponent, so degrees must be recomputed when parameters change.
        self.degree_depends_on_parameters = False
        self._leaf_kind: list[int] = []
        self._leaf_index: list[int] = []  # per kind: position among free variables, parameters or constants
        self._free: list[Any] = []  # free variables in the order first seen
        self._constants: list[float] = []
        self._leaf_of: dict[int, int] = {}  # id(variable or parameter) -> leaf number
        self._constant_of: dict[float, int] = {}  # constant -> leaf number
        self._memo: dict[int, int] = {}  # id(expression node) -> reference
        self._keep: list[Any] = []  # the walked roots, so that the ids in _memo stay theirs
        self._code: list[int] = []
        self._level: list[int] = []
        self._first: list[int] = []  # first operand (0 where none); a sum's operands are its entries
        self._second: list[int] = []
        self._third: dict[int, int] = {}  # third operand of the (rare) conditionals
        # Sums, apart: operation, where its entries start in _entry_reference / _entry_weight, how many, its constant.
        self._sum_operation: list[int] = []
        self._entry_start: list[int] = []
        self._entry_count: list[int] = []
        self._offset: list[float] = []
        self._entry_reference: list[int] = []
        self._entry_weight: list[float] = []
        self._refusals: list[str] = []  # why an operation cannot be translated, for the first such operation
        self._arrays_of: tuple[tuple[int, int], dict[str, np.ndarray]] = ((-1, -1), {})  # see _arrays

    # ---- leaves -------------------------------------------------------------------------------------------------

    def _constant(self, value: float) -> int:
        leaf = self._constant_of.get(value)
        if leaf is None:
            leaf = self._new_leaf(value, _CONSTANT, self._constants, value, self._constant_of)
        return ~leaf

    def _object_leaf(self, node: Any, kind: int) -> int:
        leaf = self._leaf_of.get(id(node))
        if leaf is None:
            if kind == _VARIABLE:
                self.variables.append(node)
                if node.fixed:
                    leaf = self._new_leaf(id(node), _PARAMETER, self.parameters, node)
                else:
                    leaf = self._new_leaf(id(node), _FREE, self._free, node)
            else:
                leaf = self._new_leaf(id(node), _PARAMETER, self.parameters, node)
        return ~leaf

    def _new_leaf(self, key: Any, kind: int, members: list[Any], member: Any, index: dict | None = None) -> int:
        leaf = len(self._leaf_kind)
        self._leaf_kind.append(kind)
        self._leaf_index.append(len(members))
        members.append(member)
        (self._leaf_of if index is None else index)[key] = leaf
        return leaf

    def _depth(self, references: Sequence[int]) -> int:
        """The depth of an operation on ``references``: one more than the deepest of them."""
        level = self._level
        return 1 + max([level[r] if r >= 0 else 0 for r in references])

    # ---- operations ---------------------------------------------------------------------------------------------

    def _operation(self, code: int, operands: Sequence[int]) -> int:
        reference = self._binary(code, operands[0], operands[1] if len(operands) > 1 else 0, self._depth(operands))
        if len(operands) > 2:
            self._third[reference] = operands[2]
        return reference

    def _sum(self, references: Sequence[int], weights: Sequence[float], offset: float) -> int:
        if not references:
            return self._constant(offset)
        if len(references) == 1 and weights[0] == 1.0 and offset == 0.0:
            return references[0]
        self._code.append(_SUM)
        self._level.append(self._depth(references))
        self._first.append(0)
        self._second.append(0)
        self._sum_operation.append(len(self._code) - 1)
        self._entry_start.append(len(self._entry_reference))
        self._entry_count.append(len(references))
        self._offset.append(offset)
        self._entry_reference.extend(references)
        self._entry_weight.extend(weights)
        return len(self._code) - 1

    def _refuse(self, reason: str, operands: Sequence[int]) -> int:
        """An operation CasADi cannot take: non-polynomial for the degree, an error for the translation."""
        self._refusals.append(reason)
        return self._operation(_UNSUPPORTED, operands[:1] or (self._constant(0.0),))

    def _fold(self, code: int, operands: Sequence[int]) -> int:
        """An n-ary max or min as a chain of binary ones."""
        result = operands[0]
        for operand in operands[1:]:
            result = self._operation(code, (result, operand))
        return result

    # ---- the walk -----------------------------------------------------------------------------------------------

    def add(self, root: Any) -> int:
        """Record ``root`` (a Pyomo expression, leaf or number) and return its reference.

        The walk recurses, which costs a third less than an explicit stack (see :func:`deep_recursion`).
        """
        self._keep.append(root)
        with deep_recursion():
            return self._reference(root)

    def _reference(self, node: Any) -> int:
        """Record ``node`` (recursively; see :meth:`add`) and return its reference."""
        node_type = type(node)
        kind = _KIND_OF.get(node_type)
        if kind is None:
            kind = _kind(node_type, node)
        if kind == _VARIABLE:
            leaf = self._leaf_of.get(id(node))
            return ~leaf if leaf is not None else self._object_leaf(node, kind)
        if kind == _NUMBER:
            leaf = self._constant_of.get(node)  # 2 and 2.0 are one key
            return ~leaf if leaf is not None else self._constant(float(node))
        if kind == _PARAMETER_LEAF:
            return self._object_leaf(node, kind)
        if kind == _OTHER_LEAF:
            return self._constant(float(pyo.value(node)))
        reference = self._memo.get(id(node))
        if reference is None:
            reference = self._memo[id(node)] = self._expand(node, kind)
        return reference

    def _expand(self, node: Any, kind: int) -> int:
        if kind == _PRODUCT or kind == _POWER or kind == _DIVISION or kind == _MONOMIAL:
            first_node, second_node = node._args_
            first, second = self._reference(first_node), self._reference(second_node)
            level = self._level
            top = max(level[first] if first >= 0 else 0, level[second] if second >= 0 else 0)
            return self._binary(_MUL_DIV_POW[kind], first, second, top + 1)
        if kind == _WEIGHTED_SUM:
            return self._weighted_sum(node)
        if kind == _NAMED:
            self.named.append((node, node.expr))
            return self._reference(node.expr)
        return self._emit(node, kind, [self._reference(child) for child in node.args])

    def _weighted_sum(self, node: Any) -> int:
        # Terms that are a number, a number times a variable, or a negation are read here directly: they become
        # weights of the sum instead of operations of their own.
        references: list[int] = []
        weights: list[float] = []
        offset = 0.0
        for term in node.args:
            term_type = type(term)
            term_kind = _KIND_OF.get(term_type)
            if term_kind is None:
                term_kind = _kind(term_type, term)
            if term_kind == _NUMBER:
                offset += term
            elif term_kind == _MONOMIAL and type(term._args_[0]) in native_numeric_types:
                references.append(self._reference(term._args_[1]))
                weights.append(float(term._args_[0]))
            elif term_kind == _NEGATION:
                references.append(self._reference(term._args_[0]))
                weights.append(-1.0)
            else:
                references.append(self._reference(term))
                weights.append(1.0)
        return self._sum(references, weights, float(offset))

    def _binary(self, code: int, first: int, second: int, level: int) -> int:
        """Record a binary operation whose depth is known."""
        self._code.append(code)
        self._level.append(level)
        self._first.append(first)
        self._second.append(second)
        return len(self._code) - 1

    def _emit(self, node: Any, kind: int, operands: list[int]) -> int:
        """Record the operation of ``node`` (other than a sum, product, division or power) given its operands."""
        if kind == _NEGATION:
            return self._sum(operands, [-1.0], 0.0)
        if kind == _FUNCTION:
            name = node.getname()
            if name not in _UNARY_CODE:
                return self._refuse(
                    f"function '{name}' has no derivative (it is not smooth); the Ipopt adapter supports "
                    f"{sorted(_UNARY_FUNCTIONS)}",
                    operands,
                )
            return self._operation(_UNARY_CODE[name], operands)
        if kind == _OTHER_EXPRESSION:
            return self._refuse(f"the Ipopt adapter cannot differentiate a {type(node).__name__} expression", operands)
        if kind == _N_ARY_MAX:
            return self._fold(_MAX, operands)
        if kind == _N_ARY_MIN:
            return self._fold(_MIN, operands)
        if kind == _CONDITIONAL:
            return self._operation(_IF, operands)
        if kind == _EQUALITY:
            return self._operation(_EQ, operands)
        if kind == _INEQUALITY:
            return self._operation(_LT if node.strict else _LE, operands)
        # _RANGED: lower (<) body (<) upper
        lower = self._operation(_LT if node.strict[0] else _LE, operands[:2])
        upper = self._operation(_LT if node.strict[1] else _LE, operands[1:])
        return self._operation(_AND, (lower, upper))

    # ---- vectorised passes over the tape -------------------------------------------------------------------------

    def _arrays(self) -> dict[str, np.ndarray]:
        """The tape as numpy arrays, kept while no operation is added: the degree pass and translation share them."""
        size = (len(self._code), len(self._entry_reference))
        if self._arrays_of[0] != size:
            self._arrays_of = (size, self._new_arrays())
        return self._arrays_of[1]

    def _new_arrays(self) -> dict[str, np.ndarray]:
        return {
            "code": np.asarray(self._code, dtype=np.int64),
            "level": np.asarray(self._level, dtype=np.int64),
            "first": np.asarray(self._first, dtype=np.int64),
            "second": np.asarray(self._second, dtype=np.int64),
            "third": self._spread(self._third.keys(), self._third.values(), np.int64),
            "start": self._spread(self._sum_operation, self._entry_start, np.int64),
            "count": self._spread(self._sum_operation, self._entry_count, np.int64),
            "offset": self._spread(self._sum_operation, self._offset, float),
            "entry": np.asarray(self._entry_reference, dtype=np.int64),
            "weight": np.asarray(self._entry_weight, dtype=float),
        }

    def _spread(self, operations: Iterable[int], values: Iterable[Any], dtype: type) -> np.ndarray:
        """A value per operation: ``values`` at ``operations``, zero elsewhere."""
        spread = np.zeros(len(self._code), dtype=dtype)
        spread[np.fromiter(operations, dtype=np.int64)] = np.fromiter(values, dtype=dtype)
        return spread

    def _groups(self, arrays: dict[str, np.ndarray]) -> Iterator[tuple[int, int, np.ndarray]]:
        """(level, code, operations) for each depth in increasing order and each kind of operation in it."""
        if not len(arrays["code"]):
            return
        order = np.lexsort((arrays["code"], arrays["level"]))
        level, code = arrays["level"][order], arrays["code"][order]
        breaks = np.flatnonzero((np.diff(level) != 0) | (np.diff(code) != 0)) + 1
        for group in np.split(order, breaks):
            yield int(arrays["level"][group[0]]), int(arrays["code"][group[0]]), group

    def _leaf_value(self, leaf: int) -> float | None:
        """A constant's or parameter's current value (None for a free variable or a parameter without one)."""
        kind, index = self._leaf_kind[leaf], self._leaf_index[leaf]
        if kind == _CONSTANT:
            return self._constants[index]
        value = self.parameters[index].value if kind == _PARAMETER else None
        return None if value is None else float(value)

    def degrees(self, roots: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Polynomial degree (``NONPOLYNOMIAL`` if none) of each root, and whether a free variable appears in it.

        Follows Pyomo's ``polynomial_degree``: parameters and fixed variables have degree 0, a power has degree
        ``d * k`` for a constant non-negative integer exponent ``k``, a division by a constant keeps its
        numerator's degree, and any function of a non-constant is non-polynomial. Wide tapes (many operations of a
        kind per depth, as in a sum of many similar terms) go depth by depth with a few numpy calls per kind of
        operation; narrow, deep ones (a chain of products has as many depths as operations) in one Python pass in
        recording order, where a numpy call per depth would cost more than the operation itself.
        """
        arrays = self._arrays()
        groups = list(self._groups(arrays))
        if len(self._code) < _WIDE_GROUP * len(groups):
            degree, free = self._degrees_in_order()
        else:
            degree, free = self._degrees_by_depth(arrays, groups)
        leaf_degree = (np.asarray(self._leaf_kind, dtype=np.int64) == _FREE).astype(np.int64)
        references = np.asarray(roots, dtype=np.int64)
        return _lookup(references, degree, leaf_degree), _lookup(references, free, leaf_degree > 0)

    def _degrees_by_depth(
        self, arrays: dict[str, np.ndarray], groups: list[tuple[int, int, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Degree and free flag of every operation, one depth and kind of operation at a time."""
        leaf_free = np.asarray(self._leaf_kind, dtype=np.int64) == _FREE
        leaf_degree = leaf_free.astype(np.int64)
        degree = np.zeros(len(self._code), dtype=np.int64)
        free = np.zeros(len(self._code), dtype=bool)
        for _, code, group in groups:
            if code == _SUM:
                entries, _ = _sum_entries(arrays, group)
                references = arrays["entry"][entries]
                counts = arrays["count"][group]
                starts = np.cumsum(counts) - counts  # every sum has an entry: an empty one is recorded as a constant
                degree[group] = np.maximum.reduceat(_lookup(references, degree, leaf_degree), starts)
                free[group] = np.logical_or.reduceat(_lookup(references, free, leaf_free), starts)
                continue
            operands = [arrays[name][group] for name in ("first", "second", "third")[: _arity(code)]]
            operand_degrees = [_lookup(references, degree, leaf_degree) for references in operands]
            free[group] = np.logical_or.reduce([_lookup(references, free, leaf_free) for references in operands])
            if code == _MUL:
                degree[group] = np.minimum(operand_degrees[0] + operand_degrees[1], NONPOLYNOMIAL)
            elif code == _DIV:
                degree[group] = np.where(operand_degrees[1] == 0, operand_degrees[0], NONPOLYNOMIAL)
            elif code == _POW:
                degree[group] = self._power_degrees(operand_degrees[0], operand_degrees[1], operands[1])
            else:  # functions, max, min, comparisons, conditionals: constant only if every operand is
                constant = np.logical_and.reduce([d == 0 for d in operand_degrees])
                degree[group] = np.where(constant, 0, NONPOLYNOMIAL)
        return degree, free

    def _power_degrees(self, base: np.ndarray, exponent_degree: np.ndarray, exponent: np.ndarray) -> np.ndarray:
        """:meth:`_power_degree` of many powers at once."""
        leaf = exponent < 0
        # a constant exponent counts by its value where it is a leaf (an operation of constants counts as non-integer)
        values = np.full(len(exponent), np.nan)
        leaves, position = np.unique(~exponent[leaf], return_inverse=True)
        known = [self._leaf_value(int(number)) for number in leaves]
        values[leaf] = np.array([np.nan if v is None else v for v in known], dtype=float)[position]
        asked = leaf & (exponent_degree == 0) & (base != 0)
        if np.any(np.asarray(self._leaf_kind, dtype=np.int64)[~exponent[asked]] == _PARAMETER):
            self.degree_depends_on_parameters = True
        with np.errstate(invalid="ignore"):
            integer = (values >= 0) & (values == np.floor(values))
        # capped before the product, so that a huge exponent cannot overflow
        power = base * np.where(integer, np.minimum(values, NONPOLYNOMIAL), 0).astype(np.int64)
        degree = np.where(integer, np.minimum(power, NONPOLYNOMIAL), NONPOLYNOMIAL)
        return np.where(exponent_degree > 0, NONPOLYNOMIAL, np.where(base == 0, 0, degree))

    def _degrees_in_order(self) -> tuple[np.ndarray, np.ndarray]:
        """Degree and free flag of every operation, in one pass in recording order (operands come first)."""
        leaf_degree = [1 if kind == _FREE else 0 for kind in self._leaf_kind]
        degree: list[int] = []
        free: list[bool] = []
        sums = iter(zip(self._entry_start, self._entry_count))
        entries = self._entry_reference

        def of(reference: int) -> tuple[int, bool]:
            if reference >= 0:
                return degree[reference], free[reference]
            return leaf_degree[~reference], leaf_degree[~reference] > 0

        for operation, code in enumerate(self._code):
            if code == _SUM:
                start, count = next(sums)
                terms = [of(reference) for reference in entries[start : start + count]]
                degree.append(max(d for d, _ in terms))
                free.append(any(f for _, f in terms))
                continue
            arity = _arity(code)
            first = of(self._first[operation])
            second = of(self._second[operation]) if arity > 1 else (0, False)
            operands = [first, second, of(self._third[operation])] if arity == 3 else [first, second][:arity]
            free.append(any(f for _, f in operands))
            if code == _MUL:
                degree.append(min(first[0] + second[0], NONPOLYNOMIAL))
            elif code == _DIV:
                degree.append(first[0] if second[0] == 0 else NONPOLYNOMIAL)
            elif code == _POW:
                degree.append(self._power_degree(first[0], second[0], self._second[operation]))
            else:  # functions, max, min, comparisons, conditionals: constant only if every operand is
                degree.append(0 if all(d == 0 for d, _ in operands) else NONPOLYNOMIAL)
        return np.array(degree, dtype=np.int64), np.array(free, dtype=bool)

    def _power_degree(self, base: int, exponent_degree: int, exponent: int) -> int:
        if exponent_degree > 0:
            return NONPOLYNOMIAL
        if base == 0:
            return 0
        # a constant exponent: its value where it is a leaf (an operation of constants counts as non-integer)
        if exponent >= 0:
            return NONPOLYNOMIAL
        if self._leaf_kind[~exponent] == _PARAMETER:
            self.degree_depends_on_parameters = True
        value = self._leaf_value(~exponent)
        if value is None or value < 0 or value != int(value):
            return NONPOLYNOMIAL
        return min(base * int(value), NONPOLYNOMIAL)

    def _with_parameter_powers(self, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``arrays`` with ``_PARAMETER_POW`` as the code of the powers whose exponent is a parameter.

        Also an operation without free variables counts as a parameter (``x ** (p - 1)``, say). The same arrays are
        returned where there is no such power.
        """
        code = arrays["code"]
        powers = np.flatnonzero(code == _POW)
        exponents = arrays["second"][powers]
        leaf_kind = np.asarray(self._leaf_kind, dtype=np.int64)
        on_operation = exponents >= 0
        guarded = on_operation | (_lookup(exponents, np.full(len(code), -1, dtype=np.int64), leaf_kind) == _PARAMETER)
        if np.any(on_operation & guarded):  # an operation as exponent (rare): is a free variable in it?
            groups = list(self._groups(arrays))
            if len(self._code) < _WIDE_GROUP * len(groups):
                _, free = self._degrees_in_order()
            else:
                _, free = self._degrees_by_depth(arrays, groups)
            guarded &= ~_lookup(exponents, free, leaf_kind == _FREE)
        if not np.any(guarded):
            return arrays
        code = code.copy()
        code[powers[guarded]] = _PARAMETER_POW
        return {**arrays, "code": code}

    def to_casadi(self, roots: Sequence[int], x: Any, p: Any, free_position: dict[int, int]) -> Any:
        """The roots as one SX column, given the symbols ``x`` and ``p`` and each free variable's row of ``x``."""
        if self._refusals:
            raise ModelTypeError(self._refusals[0])
        arrays = self._with_parameter_powers(self._arrays())
        kinds = np.asarray(self._leaf_kind, dtype=np.int64)
        # Depth 0 is one column: the free variables' entries of x, then p, then the constants.
        free_rows = [free_position[id(v)] for v in self._free]
        offsets = np.select(
            [kinds == _FREE, kinds == _PARAMETER], [0, len(self._free)], len(self._free) + len(self.parameters)
        )
        leaves = ca.vertcat(
            x[free_rows] if free_rows else ca.SX(0, 1),
            p if len(self.parameters) else ca.SX(0, 1),
            ca.DM(self._constants) if self._constants else ca.SX(0, 1),
        )
        builder = _CasadiBuilder(arrays, leaves, np.asarray(self._leaf_index, dtype=np.int64) + offsets)
        for level, code, group in self._groups(arrays):
            narrow = len(group) <= _NARROW and (code != _SUM or arrays["count"][group].sum() <= _NARROW)
            if narrow:
                for operation in group.tolist():
                    builder.scalar_operation(code, operation)
            else:
                builder.vector_operations(level, code, group)
        builder.finish()
        if not len(roots):
            return ca.SX(0, 1)
        return ca.SX(builder.gather(np.asarray(roots, dtype=np.int64)))


#: Operations of one kind and depth, at most this many (and sums of at most this many terms in all), are built one
#: scalar operation at a time: a vectorised step costs a few dozen CasADi and numpy calls whatever its width, which
#: only pays off for wider groups.
_NARROW = 4

#: The degree pass goes depth by depth when the operations number at least this many per (depth, kind of operation)
#: on average: a vectorised step costs a dozen numpy calls, as much as this many operations in a Python loop.
_WIDE_GROUP = 32


class _CasadiBuilder:
    """Builds a tape's operations into CasADi SX, depth by depth.

    Values live in *chunks*, SX columns: chunk 0 holds the leaves, and each wide depth adds one chunk. Operations
    of narrow depths are built as scalars and packed into a chunk of their own before a wide depth needs them.
    """

    def __init__(self, arrays: dict[str, np.ndarray], leaves: Any, leaf_row: np.ndarray) -> None:
        self.arrays = arrays
        self.chunks: list[Any] = [leaves]
        self.leaf_row = leaf_row
        self.chunk_of = np.full(len(arrays["code"]), -1, dtype=np.int64)  # -1: not in a chunk yet
        self.row_of = np.zeros(len(arrays["code"]), dtype=np.int64)
        self._level = -1
        self._pending: list[tuple[np.ndarray, Any]] = []  # the current wide depth: (operations, their values)
        self._scalars: dict[int, Any] = {}  # reference -> scalar SX, for the operations of narrow depths
        self._unpacked: list[int] = []  # operations built as scalars and not yet in a chunk

    def gather(self, references: np.ndarray) -> Any:
        """The values of ``references`` as one SX column, with one indexing call per chunk they come from.

        The operations referred to are of earlier depths: in a chunk already, or scalars to be packed.
        """
        self._pack()
        chunk = _lookup(references, self.chunk_of, np.zeros(len(self.leaf_row), dtype=np.int64))
        row = _lookup(references, self.row_of, self.leaf_row)
        used = np.unique(chunk)
        # Two indices, rows and column 0: with one index, a 1x1 matrix indexed by a repeated row gives a row vector.
        if len(used) == 1:
            return self.chunks[int(used[0])][row.tolist(), 0]
        order = np.argsort(chunk, kind="stable")
        pieces = [self.chunks[int(c)][row[chunk == c].tolist(), 0] for c in used]
        return ca.vertcat(*pieces)[np.argsort(order).tolist(), 0]

    def finish(self) -> None:
        """Put every operation built so far into a chunk."""
        self._close_level()
        self._pack()

    def vector_operations(self, level: int, code: int, group: np.ndarray) -> None:
        """Build the operations ``group`` (all of ``code``, at depth ``level``) with one elementwise call."""
        if level != self._level:
            self._close_level()
            self._level = level
        arrays = self.arrays
        if code == _SUM:
            entries, rows = _sum_entries(arrays, group)
            columns = len(entries)
            weights = ca.DM(
                ca.Sparsity(len(group), columns, list(range(columns + 1)), rows.tolist()),
                arrays["weight"][entries].tolist(),
            )
            values = ca.mtimes(weights, self.gather(arrays["entry"][entries]))
            offsets = arrays["offset"][group]
            if np.any(offsets):
                values = values + ca.DM(offsets.tolist())
        elif code in _BINARY:
            values = _BINARY[code](self.gather(arrays["first"][group]), self.gather(arrays["second"][group]))
        elif code == _IF:
            condition, then, otherwise = (self.gather(arrays[name][group]) for name in ("first", "second", "third"))
            values = ca.if_else(condition, then, otherwise)
        else:
            values = _UNARY[code](self.gather(arrays["first"][group]))
        self._pending.append((group, values))

    def scalar_operation(self, code: int, operation: int) -> None:
        """Build one operation as a scalar SX."""
        arrays = self.arrays
        if code == _SUM:
            start, count = int(arrays["start"][operation]), int(arrays["count"][operation])
            references = arrays["entry"][start : start + count].tolist()
            weights = arrays["weight"][start : start + count].tolist()
            terms = [self._scalar(r) * w if w != 1.0 else self._scalar(r) for r, w in zip(references, weights)]
            value = ca.sum1(ca.vertcat(*terms)) if len(terms) > 2 else sum(terms[1:], terms[0])
            offset = float(arrays["offset"][operation])
            if offset:
                value = value + offset
        else:
            names = ("first", "second", "third")[: _arity(code)]
            operands = [self._scalar(int(arrays[name][operation])) for name in names]
            if code in _BINARY:
                value = _BINARY[code](*operands)
            elif code == _IF:
                value = ca.if_else(*operands)
            else:
                value = _UNARY[code](*operands)
        self._scalars[operation] = value
        self._unpacked.append(operation)

    def _scalar(self, reference: int) -> Any:
        value = self._scalars.get(reference)
        if value is None:
            if reference < 0:
                value = self.chunks[0][int(self.leaf_row[~reference])]
            else:
                self._close_level()  # a narrow depth after a wide one: the wide one is complete
                value = self.chunks[int(self.chunk_of[reference])][int(self.row_of[reference])]
            self._scalars[reference] = value
        return value

    def _close_level(self) -> None:
        """Put the operations of the current wide depth into a chunk."""
        if self._pending:
            rows = 0
            for group, _ in self._pending:
                self.chunk_of[group] = len(self.chunks)
                self.row_of[group] = rows + np.arange(len(group))
                rows += len(group)
            self.chunks.append(ca.vertcat(*(values for _, values in self._pending)))
            self._pending = []
        self._level = -1

    def _pack(self) -> None:
        """Put the scalars not yet in a chunk into one."""
        if self._unpacked:
            operations = np.asarray(self._unpacked, dtype=np.int64)
            self.chunk_of[operations] = len(self.chunks)
            self.row_of[operations] = np.arange(len(operations))
            self.chunks.append(ca.vertcat(*(self._scalars[operation] for operation in self._unpacked)))
            self._unpacked = []
