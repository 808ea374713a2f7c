"""Regression tests for review findings on the Pyomo → CasADi translation.

Each expected value is independent of the translation: a closed form, or Pyomo's own ``value()`` of the bound or
expression.
"""

import numpy as np
import pyomo.environ as pyo
import pytest

from evgames.solvers import inspect_model, solve
from evgames.solvers.casadi_bridge import compile_model

# ---- variable bounds under a sign domain --------------------------------------------------------------------------


def test_numeric_bounds_under_a_sign_domain_are_read_per_variable():
    # NonNegativeReals with bounds (i, 100): Pyomo gives each x[i].lower as a new temporary max(0, i) expression,
    # which the bound memo once keyed by an id that the next temporary could take.
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(8)
    m.x = pyo.Var(m.I, domain=pyo.NonNegativeReals, bounds=lambda m, i: (float(i), 100.0), initialize=50.0)
    m.o = pyo.Objective(expr=sum(m.x[i] ** 2 for i in m.I))  # optimum: every x[i] on its lower bound i
    nlp = compile_model(inspect_model(m))
    assert nlp.x_lower.tolist() == [pyo.value(m.x[i].lower) for i in m.I] == [float(i) for i in m.I]
    assert nlp.x_upper.tolist() == [100.0] * 8
    result = solve(m, "ipopt")
    assert result.ok
    assert [m.x[i].value for i in m.I] == pytest.approx([float(i) for i in m.I], abs=1e-6)
    assert result.objective == pytest.approx(sum(i * i for i in range(1, 9)), rel=1e-7)


def test_parameter_bounds_under_sign_domains_follow_each_variable_and_each_change():
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(6)
    m.lb = pyo.Param(m.I, mutable=True, initialize=lambda m, i: float(i))
    m.ub = pyo.Param(m.I, mutable=True, initialize=lambda m, i: -float(i))
    m.x = pyo.Var(m.I, domain=pyo.NonNegativeReals, bounds=lambda m, i: (m.lb[i], 100.0), initialize=50.0)
    m.y = pyo.Var(m.I, domain=pyo.NonPositiveReals, bounds=lambda m, i: (None, m.ub[i]), initialize=-50.0)
    m.o = pyo.Objective(expr=sum(m.x[i] ** 2 + m.y[i] ** 2 for i in m.I))  # optimum: x[i] = i, y[i] = -i
    for scale in (1.0, 2.0):  # the second pass re-reads the bounds of the compiled model after a change
        for i in m.I:
            m.lb[i] = scale * i
            m.ub[i] = -scale * i
        nlp = compile_model(inspect_model(m))
        row = {name: position for position, name in enumerate(nlp.names)}
        x_rows = [row[m.x[i].name] for i in m.I]
        y_rows = [row[m.y[i].name] for i in m.I]
        assert nlp.x_lower[x_rows].tolist() == [pyo.value(m.x[i].lower) for i in m.I] == [scale * i for i in m.I]
        assert nlp.x_upper[y_rows].tolist() == [pyo.value(m.y[i].upper) for i in m.I] == [-scale * i for i in m.I]
        result = solve(m, "ipopt")
        assert result.ok
        assert [m.x[i].value for i in m.I] == pytest.approx([scale * i for i in m.I], abs=1e-6)
        assert [m.y[i].value for i in m.I] == pytest.approx([-scale * i for i in m.I], abs=1e-6)


# ---- a row of a 1x1 chunk requested more than once ------------------------------------------------------------------


def test_a_shared_named_subexpression_in_a_least_squares_sum():
    # One x*y, used by five terms: the wide depth gathers the 1x1 chunk holding it five times.
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(5)
    m.t = pyo.Param(m.I, initialize=lambda m, i: float(i), mutable=True)
    m.x = pyo.Var(initialize=1.0)
    m.y = pyo.Var(initialize=1.0)
    m.s = pyo.Expression(expr=m.x * m.y)
    m.o = pyo.Objective(expr=sum((m.s - m.t[i]) ** 2 for i in m.I))
    nlp = compile_model(inspect_model(m))
    for point in ([1.0, 1.0], [0.5, 3.0], [-2.0, 1.5]):
        m.x.set_value(point[0])
        m.y.set_value(point[1])
        values = {v.name: v.value for v in (m.x, m.y)}
        assert float(nlp.objective([values[name] for name in nlp.names])) == pytest.approx(pyo.value(m.o.expr))
    m.x.set_value(1.0)
    m.y.set_value(1.0)
    result = solve(m, "ipopt")
    assert result.ok
    # closed form: x*y at the mean of t (3), objective sum (3 - i)^2 = 10
    assert m.x.value * m.y.value == pytest.approx(3.0, abs=1e-6)
    assert result.objective == pytest.approx(10.0, abs=1e-8)


def test_a_single_leaf_gathered_many_times():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=0.3)
    m.o = pyo.Objective(expr=sum(m.x * m.x for _ in range(5)))  # 5 x^2
    nlp = compile_model(inspect_model(m))
    assert float(nlp.objective([0.3])) == pytest.approx(5 * 0.09)
    assert float(nlp.gradient([0.3])) == pytest.approx(10 * 0.3)
    result = solve(m, "ipopt")
    assert result.ok and m.x.value == pytest.approx(0.0, abs=1e-7)


def test_a_sum_shared_by_the_objective_and_a_constraint():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0.1, 0.9), initialize=0.5)
    m.y = pyo.Var(bounds=(0.1, 0.9), initialize=0.5)
    e = m.x * m.y - m.x
    m.o = pyo.Objective(expr=e)
    m.c = pyo.Constraint(expr=e + m.x <= 100)  # Pyomo extends e's argument list in place for e + x
    result = solve(m, "ipopt")
    assert result.ok
    # closed form: x (y - 1) is least at x = 0.9, y = 0.1
    assert (m.x.value, m.y.value) == pytest.approx((0.9, 0.1), abs=1e-6)
    assert result.objective == pytest.approx(-0.81, abs=1e-7)


# ---- a conditional whose condition Pyomo evaluated to a bool ---------------------------------------------------------


@pytest.mark.parametrize(("threshold", "expected"), [(1.0, 1.0), (3.0, -1.0)])
def test_a_conditional_on_a_plain_bool(threshold, expected):
    m = pyo.ConcreteModel()
    m.k = pyo.Param(initialize=2.0)  # immutable: k >= threshold is a Python bool
    m.x = pyo.Var(initialize=0.0)
    condition = m.k >= threshold
    assert type(condition) is bool
    m.o = pyo.Objective(expr=pyo.Expr_if(IF=condition, THEN=(m.x - 1) ** 2, ELSE=(m.x + 1) ** 2))
    nlp = compile_model(inspect_model(m))
    m.x.set_value(0.25)
    assert float(nlp.objective([0.25])) == pytest.approx(pyo.value(m.o.expr))
    m.x.set_value(0.0)
    result = solve(m, "ipopt")
    assert result.ok and m.x.value == pytest.approx(expected, abs=1e-7)


# ---- a parameter as exponent ---------------------------------------------------------------------------------------


def exponent_model(p):
    m = pyo.ConcreteModel()
    m.p = pyo.Param(mutable=True, initialize=p)
    m.x = pyo.Var(initialize=0.0)
    m.o = pyo.Objective(expr=m.x**m.p + (m.x - 1) ** 2)
    return m


# closed forms of min x^p + (x - 1)^2: the minimiser, and f'(0), f''(0)
EXPONENT_CASES = [(0.0, 1.0, -2.0, 2.0), (1.0, 0.5, -1.0, 2.0), (2.0, 0.5, -2.0, 4.0)]


@pytest.mark.parametrize(("p", "minimiser", "slope", "curvature"), EXPONENT_CASES)
def test_a_parameter_exponent_of_0_or_1_has_finite_derivatives_at_0(p, minimiser, slope, curvature):
    m = exponent_model(p)
    nlp = compile_model(inspect_model(m))
    assert float(nlp.objective([0.0])) == pytest.approx(pyo.value(m.o.expr))
    assert float(nlp.gradient([0.0])) == pytest.approx(slope)
    assert np.asarray(nlp.hessian([0.0], [], 1.0)).ravel().tolist() == pytest.approx([curvature])
    result = solve(m, "ipopt")
    assert result.ok
    assert m.x.value == pytest.approx(minimiser, abs=1e-7)
    assert result.objective == pytest.approx(minimiser**p + (minimiser - 1) ** 2, abs=1e-9)


def test_a_changed_parameter_exponent_reuses_the_compiled_functions():
    m = exponent_model(2.0)
    compiled = compile_model(inspect_model(m))
    for p, minimiser, slope, _ in [EXPONENT_CASES[1], EXPONENT_CASES[0], EXPONENT_CASES[2]]:
        m.p = p
        m.x.set_value(0.0)
        assert compile_model(inspect_model(m)) is compiled
        assert float(compiled.gradient([0.0])) == pytest.approx(slope)
        assert solve(m, "ipopt").ok
        assert m.x.value == pytest.approx(minimiser, abs=1e-7)


@pytest.mark.parametrize(("q", "minimiser"), [(1.0, 1.0), (2.0, 0.5)])
def test_an_exponent_computed_from_a_parameter(q, minimiser):
    # x ** (q - 1): an operation of parameters as exponent, 0 for q = 1 and 1 for q = 2
    m = pyo.ConcreteModel()
    m.q = pyo.Param(mutable=True, initialize=q)
    m.x = pyo.Var(initialize=0.0)
    m.o = pyo.Objective(expr=m.x ** (m.q - 1) + (m.x - 1) ** 2)
    nlp = compile_model(inspect_model(m))
    assert np.all(np.isfinite(np.asarray(nlp.hessian([0.0], [], 1.0))))
    assert solve(m, "ipopt").ok
    assert m.x.value == pytest.approx(minimiser, abs=1e-7)


def test_a_free_variable_exponent_keeps_its_derivative():
    # x ** y: y is free, so the power is not guarded: d/dy x^y = log(x) x^y, also at y = 0 and y = 1
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=2.0)
    m.y = pyo.Var(initialize=0.0)
    m.o = pyo.Objective(expr=m.x**m.y)
    nlp = compile_model(inspect_model(m))
    rows = {name: row for row, name in enumerate(nlp.names)}
    for y in (0.0, 1.0):
        point = np.zeros(2)
        point[rows["x"]], point[rows["y"]] = 2.0, y
        gradient = np.asarray(nlp.gradient(point)).ravel()
        assert gradient[rows["y"]] == pytest.approx(np.log(2.0) * 2.0**y)
        assert gradient[rows["x"]] == pytest.approx(y * 2.0 ** (y - 1))
