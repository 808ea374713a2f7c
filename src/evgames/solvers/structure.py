"""What kind of optimisation problem a Pyomo model is: the facts a solver's capability is checked against."""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.objective import ObjectiveData
from pyomo.core.base.var import VarData
from pyomo.core.expr.visitor import identify_variables

from evgames.solvers.errors import ModelTypeError

__all__ = ["ModelStructure", "inspect_model"]


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
    """

    objective: ObjectiveData | None
    constraints: tuple[ConstraintData, ...]
    variables: tuple[VarData, ...]
    nonlinear: bool
    quadratic: bool
    integer_variables: tuple[str, ...]

    @property
    def kind(self) -> str:
        """``LP``, ``MILP``, ``QP``, ``MIQP``, ``NLP`` or ``MINLP``."""
        mixed = "MI" if self.integer_variables else ""
        if self.nonlinear:
            return f"{mixed}NLP"
        if self.quadratic:
            return f"{mixed}QP"
        return "MILP" if mixed else "LP"


def inspect_model(model: pyo.ConcreteModel) -> ModelStructure:
    """Classify ``model``; raise :class:`ModelTypeError` if it has more than one active objective."""
    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    if len(objectives) > 1:
        raise ModelTypeError(f"the model must have at most one active objective, found {len(objectives)}")
    objective = objectives[0] if objectives else None
    constraints = tuple(model.component_data_objects(pyo.Constraint, active=True, descend_into=True))

    used: set[int] = set()
    degree_max = 0
    nonpolynomial = False
    for expr in [*([objective.expr] if objective is not None else []), *(c.body for c in constraints)]:
        used.update(id(v) for v in identify_variables(expr, include_fixed=False))
        degree = expr.polynomial_degree() if hasattr(expr, "polynomial_degree") else 0
        if degree is None:
            nonpolynomial = True
        else:
            degree_max = max(degree_max, degree)
    variables = tuple(
        v for v in model.component_data_objects(pyo.Var, descend_into=True) if id(v) in used and not v.fixed
    )
    return ModelStructure(
        objective=objective,
        constraints=constraints,
        variables=variables,
        nonlinear=nonpolynomial or degree_max > 2,
        quadratic=degree_max == 2 and not nonpolynomial,
        integer_variables=tuple(v.name for v in variables if not v.is_continuous()),
    )
