"""What kind of optimisation problem a Pyomo model is: the facts a solver's capability is checked against.

One walk over the model's expressions (:class:`~evgames.solvers.expression_tape.ExpressionTape`) gives the free
variables, each expression's polynomial degree and the operations the CasADi translation needs. The result is
kept per model and reused while the model's structure is unchanged, so that a re-solve after a change of
parameter values or bounds walks nothing again. The structure counts as changed when the active objective or
constraints, an objective's sense, an expression (a constraint's, the objective's or a named ``Expression``'s),
a variable's fixed flag or domain changes.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace
from typing import Any

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.objective import ObjectiveData
from pyomo.core.base.var import VarData

from evgames.solvers.errors import ModelTypeError
from evgames.solvers.expression_tape import NONPOLYNOMIAL, ExpressionTape

__all__ = ["ModelStructure", "ModelTape", "inspect_model"]


@dataclass
class ModelTape:
    """The tape of a model's active objective and constraints, with where each one's expression is on it.

    Attributes:
        tape: The operations of every expression.
        objective: The objective's reference on the tape (None without an objective).
        constraints: Per constraint id: its body's reference and its lower and upper bound as Pyomo stores them
            (numbers, None, or expressions of parameters, evaluated at each solve).
        has_free_variable: Per constraint id: whether a free variable appears in its body.
        highest_degree: The highest polynomial degree of the objective and constraint bodies (``NONPOLYNOMIAL`` if
            one is not polynomial), at the parameter values of the walk.
        compiled: Compiled CasADi functions per set of constraints
            (see :func:`~evgames.solvers.casadi_bridge.compile_model`).
    """

    tape: ExpressionTape
    objective: int | None
    constraints: dict[int, tuple[int, Any, Any]]
    has_free_variable: dict[int, bool]
    highest_degree: int
    compiled: dict[Any, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelStructure:
    """The active objective, constraints and free variables of a model, and its class.

    Attributes:
        objective: The single active objective; ``None`` for a feasibility problem (no objective: any feasible
            point is a solution, and the reported objective is 0).
        constraints: Active constraints in declaration order.
        variables: Unfixed variables that appear in the objective or a constraint, in declaration order.
        nonlinear: Some expression has polynomial degree above 2 or is not polynomial (log, exp, ...).
        quadratic: The highest degree is exactly 2.
        integer_variables: Names of the integer or binary variables among ``variables``.
        tape: The walked expressions, for the CasADi translation (None for a structure built by hand).
    """

    objective: ObjectiveData | None
    constraints: tuple[ConstraintData, ...]
    variables: tuple[VarData, ...]
    nonlinear: bool
    quadratic: bool
    integer_variables: tuple[str, ...]
    tape: ModelTape | None = field(default=None, compare=False, repr=False)

    @property
    def kind(self) -> str:
        """``LP``, ``MILP``, ``QP``, ``MIQP``, ``NLP`` or ``MINLP``."""
        mixed = "MI" if self.integer_variables else ""
        if self.nonlinear:
            return f"{mixed}NLP"
        if self.quadratic:
            return f"{mixed}QP"
        return "MILP" if mixed else "LP"

    def constant_constraints(self) -> list[ConstraintData]:
        """The constraints in which no free variable appears (their value is decided before any solve)."""
        if self.tape is None:
            tape = walk(self.objective, self.constraints)
        else:
            tape = self.tape
        return [c for c in self.constraints if not tape.has_free_variable[id(c)]]


def walk(objective: ObjectiveData | None, constraints: tuple[ConstraintData, ...]) -> ModelTape:
    """Record the objective and every constraint's body and bounds on one tape."""
    tape = ExpressionTape()
    objective_root = tape.add(objective.expr) if objective is not None else None
    entries = {}
    for constraint in constraints:
        lower, body, upper = constraint.to_bounded_expression(evaluate_bounds=False)
        entries[id(constraint)] = (tape.add(body), lower, upper)
    roots = [root for root, _, _ in entries.values()]
    degrees, free = tape.degrees([*roots, *([objective_root] if objective_root is not None else [])])
    return ModelTape(
        tape=tape,
        objective=objective_root,
        constraints=entries,
        has_free_variable=dict(zip(entries, map(bool, free))),
        highest_degree=int(degrees.max(initial=0)),
    )


@dataclass
class _Cached:
    """A model's structure with what it was derived from, to tell whether it still holds."""

    key: tuple[Any, ...]
    structure: ModelStructure
    variables: tuple[tuple[Any, bool, Any], ...]  # every variable seen: (variable, fixed, domain)
    expressions: tuple[Any, ...]  # the expressions whose ids are in the key, kept so that no other object takes them

    def holds(self, key: tuple[Any, ...]) -> bool:
        tape = self.structure.tape
        assert tape is not None
        return (
            key == self.key
            and all(v.fixed is fixed and v.domain is domain for v, fixed, domain in self.variables)
            and all(named.expr is expr for named, expr in tape.tape.named)
        )


#: Per model: its structure while that holds (the model is weakly referenced, so the entry goes with it).
_CACHE: weakref.WeakKeyDictionary[Any, _Cached] = weakref.WeakKeyDictionary()


def _degree_flags(highest: int) -> tuple[bool, bool]:
    """(nonlinear, quadratic) from the highest degree of the objective and constraint bodies."""
    return highest >= NONPOLYNOMIAL or highest > 2, highest == 2


def inspect_model(model: pyo.ConcreteModel) -> ModelStructure:
    """Classify ``model``; raise :class:`ModelTypeError` if it has more than one active objective."""
    # The walk allocates many small objects; without the pause, Python's cyclic collector would traverse the
    # whole Pyomo model again and again during it (measured: three quarters of the time on 85,000 nodes).
    with PauseGC():
        return _inspect(model)


def _inspect(model: pyo.ConcreteModel) -> ModelStructure:
    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    if len(objectives) > 1:
        raise ModelTypeError(f"the model must have at most one active objective, found {len(objectives)}")
    objective = objectives[0] if objectives else None
    constraints = tuple(model.component_data_objects(pyo.Constraint, active=True, descend_into=True))
    # The ids stay those of the same objects: the cached structure holds the objects and expressions it names.
    key = (
        (id(objective), id(objective.expr), objective.sense) if objective is not None else None,
        tuple((id(c), id(c.expr)) for c in constraints),
    )
    try:
        cached = _CACHE.get(model)
    except TypeError:  # a model that cannot be weakly referenced is walked at every solve
        cached = None
    if cached is not None and cached.holds(key):
        structure = cached.structure
        if structure.tape is not None and structure.tape.tape.degree_depends_on_parameters:
            roots = [root for root, _, _ in structure.tape.constraints.values()]
            if structure.tape.objective is not None:
                roots.append(structure.tape.objective)
            nonlinear, quadratic = _degree_flags(int(structure.tape.tape.degrees(roots)[0].max(initial=0)))
            if (nonlinear, quadratic) != (structure.nonlinear, structure.quadratic):
                structure = cached.structure = replace(structure, nonlinear=nonlinear, quadratic=quadratic)
        return structure

    model_tape = walk(objective, constraints)
    nonlinear, quadratic = _degree_flags(model_tape.highest_degree)
    seen = model_tape.tape.variables
    used = {id(v) for v in seen if not v.fixed}
    variables = tuple(v for v in model.component_data_objects(pyo.Var, descend_into=True) if id(v) in used)
    structure = ModelStructure(
        objective=objective,
        constraints=constraints,
        variables=variables,
        nonlinear=nonlinear,
        quadratic=quadratic,
        integer_variables=tuple(v.name for v in variables if not v.is_continuous()),
        tape=model_tape,
    )
    try:
        _CACHE[model] = _Cached(
            key=key,
            structure=structure,
            variables=tuple((v, v.fixed, v.domain) for v in seen),
            expressions=(objective.expr if objective is not None else None, *(c.expr for c in constraints)),
        )
    except TypeError:  # a block that takes no weak reference is inspected afresh at every solve, not cached
        return structure
    return structure
