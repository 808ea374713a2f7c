"""A model's compiled functions are reused across solves while its structure holds, and only then.

The reference answers come from closed forms: the projection of (a, b) onto the half-plane x + y <= c, with and
without a bound on x, a fixed y or the constraint switched off; and from a model built afresh with the changed data.
"""

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.core.expr.visitor import identify_variables

from evgames.solvers import inspect_model, solve
from evgames.solvers.casadi_bridge import compile_model
from evgames.solvers.expression_tape import NONPOLYNOMIAL, ExpressionTape


def projection_model(a=3.0, b=1.0, c=2.0, x_lower=None):
    """min (x - a)^2 + (y - b)^2 s.t. x + y <= c, with a, b and c mutable parameters."""
    m = pyo.ConcreteModel()
    m.a = pyo.Param(mutable=True, initialize=a)
    m.b = pyo.Param(mutable=True, initialize=b)
    m.c = pyo.Param(mutable=True, initialize=c)
    m.x = pyo.Var(initialize=0.0, bounds=(x_lower, None))
    m.y = pyo.Var(initialize=0.0)
    m.distance = pyo.Expression(expr=(m.x - m.a) ** 2 + (m.y - m.b) ** 2)
    m.o = pyo.Objective(expr=m.distance)
    m.cap = pyo.Constraint(expr=m.x + m.y <= m.c)
    return m


def projection(a, b, c):
    """Closed form: the nearest point of x + y <= c to (a, b), and the dual of the row (d objective / d c)."""
    excess = max((a + b - c) / 2, 0.0)
    return {"x": a - excess, "y": b - excess}, -2 * excess


def assert_same_solve(result, values, dual):
    assert result.ok
    assert result.values == pytest.approx(values, abs=1e-7)
    assert result.duals["cap"] == pytest.approx(dual, abs=1e-6)


def test_a_parameter_change_reuses_the_compiled_functions_and_gives_the_new_answer():
    m = projection_model()
    assert_same_solve(solve(m, "ipopt"), *projection(3, 1, 2))
    structure, compiled = inspect_model(m), compile_model(inspect_model(m))
    m.a = 4.0
    m.c = 1.0  # a parameter in a constraint's bound
    assert inspect_model(m) is structure and compile_model(inspect_model(m)) is compiled
    result = solve(m, "ipopt")
    assert_same_solve(result, *projection(4, 1, 1))
    fresh = solve(projection_model(a=4.0, c=1.0), "ipopt")
    assert result.values == pytest.approx(fresh.values, abs=1e-9)
    assert result.duals == pytest.approx(fresh.duals, abs=1e-7)


def test_fixing_and_unfixing_a_variable_changes_the_structure():
    m = projection_model(a=4.0)
    solve(m, "ipopt")
    before = inspect_model(m)
    m.y.fix(0.5)
    assert inspect_model(m) is not before
    result = solve(m, "ipopt")
    # min (x - 4)^2 s.t. x <= 2 - 0.5: x = 1.5, and the row's dual is 2 (x - a) = -5
    assert result.ok and result.values == pytest.approx({"x": 1.5}, abs=1e-7)
    assert result.duals["cap"] == pytest.approx(-5.0, abs=1e-6)
    fixed = inspect_model(m)
    m.y.fix(-1.0)  # a new fixed value is a parameter value: read at the solve, nothing compiled again
    assert inspect_model(m) is fixed
    assert solve(m, "ipopt").values == pytest.approx({"x": 3.0}, abs=1e-7)
    m.y.unfix()
    assert_same_solve(solve(m, "ipopt"), *projection(4, 1, 2))


def test_deactivating_a_constraint_changes_the_structure():
    m = projection_model(a=4.0)
    solve(m, "ipopt")
    m.cap.deactivate()
    result = solve(m, "ipopt")
    assert result.ok and result.values == pytest.approx({"x": 4.0, "y": 1.0}, abs=1e-7)
    assert "cap" not in result.duals
    m.cap.activate()
    assert_same_solve(solve(m, "ipopt"), *projection(4, 1, 2))


def test_bounds_are_read_at_each_solve():
    m = projection_model(a=4.0)
    solve(m, "ipopt")
    compiled = compile_model(inspect_model(m))
    m.x.setlb(2.8)
    result = solve(m, "ipopt")
    assert compile_model(inspect_model(m)) is compiled
    # x on its bound 2.8, y = c - x = -0.8; d objective / d lb = 2 (2.8 - 4) - 2 (-0.8 - 1) = 1.2, and
    # d objective / d c = 2 (y - b) = -3.6
    assert result.ok and result.values == pytest.approx({"x": 2.8, "y": -0.8}, abs=1e-7)
    assert result.reduced_costs["x"] == pytest.approx(1.2, abs=1e-6)
    assert result.duals["cap"] == pytest.approx(-3.6, abs=1e-6)
    fresh = solve(projection_model(a=4.0, x_lower=2.8), "ipopt")
    assert result.values == pytest.approx(fresh.values, abs=1e-9)
    assert result.reduced_costs == pytest.approx(fresh.reduced_costs, abs=1e-7)
    m.x.setlb(None)
    assert_same_solve(solve(m, "ipopt"), *projection(4, 1, 2))


def test_a_replaced_expression_or_sense_changes_the_structure():
    m = projection_model(a=4.0)
    solve(m, "ipopt")
    m.distance.expr = (m.x - m.a) ** 2 + 4 * (m.y - m.b) ** 2  # y weighs four times: y moves a quarter as far
    # min (x - 4)^2 + 4 (y - 1)^2 s.t. x + y <= 2: x - 4 = 4 (y - 1), so y = 1 - 0.6, x = 1.6 (the row's dual 2 (x - a))
    result = solve(m, "ipopt")
    assert result.values == pytest.approx({"x": 1.6, "y": 0.4}, abs=1e-7)
    assert result.duals["cap"] == pytest.approx(-4.8, abs=1e-6)
    m.cap.set_value(m.x + 2 * m.y <= m.c)
    result = solve(m, "ipopt")
    # x - 4 = 2 (y - 1) with x + 2 y = 2: y = 0, x = 2
    assert result.values == pytest.approx({"x": 2.0, "y": 0.0}, abs=1e-7)
    m.o.sense = pyo.maximize
    m.cap.deactivate()
    m.x.setlb(0)
    m.x.setub(1)
    m.y.setlb(0)
    m.y.setub(1)
    # the farthest corner of the unit square from (4, 1) under the new weights: (0, 0), distance 16 + 4
    result = solve(m, "ipopt", {"max_iter": 200}, raise_on_failure=False)
    assert result.values == pytest.approx({"x": 0.0, "y": 0.0}, abs=1e-6)
    assert result.objective == pytest.approx(20.0, abs=1e-5)


def test_suffixes_follow_a_parameter_change():
    m = projection_model()
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    m.rc = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    opt = pyo.SolverFactory("evgames_ipopt")
    pyo.assert_optimal_termination(opt.solve(m))
    assert m.dual[m.cap] == pytest.approx(projection(3, 1, 2)[1], abs=1e-6)
    m.b = 2.0
    pyo.assert_optimal_termination(opt.solve(m))
    values, dual = projection(3, 2, 2)
    assert (m.x.value, m.y.value) == pytest.approx((values["x"], values["y"]), abs=1e-7)
    assert m.dual[m.cap] == pytest.approx(dual, abs=1e-6)
    assert m.rc[m.x] == pytest.approx(0.0, abs=1e-7)


def test_the_swarm_reads_parameter_values_at_each_solve():
    m = pyo.ConcreteModel()
    m.target = pyo.Param(mutable=True, initialize=1.0)
    m.x = pyo.Var(bounds=(-5, 5))
    m.o = pyo.Objective(expr=(m.x - m.target) ** 2)
    assert solve(m, "pso", {"seed": 1}).values["x"] == pytest.approx(1.0, abs=1e-3)
    m.target = -2.0
    assert solve(m, "pso", {"seed": 1}).values["x"] == pytest.approx(-2.0, abs=1e-3)


def degree_cases(x1, x2, z, p):
    """Expressions of two free variables, a fixed variable and a mutable parameter, with every degree rule."""
    return [
        3 * x1 + p,
        x1 * x2 - z,
        x1**2 + x2**p,
        x1**0.5,
        x1 / p + x2 / x1,
        z * x1 * x2 * x1,
        pyo.log(z) + x1,
        pyo.exp(x1),
        -(x1**3),
        p**2,
        z**x1,
        pyo.Expr_if(IF=x1 <= p, THEN=x2, ELSE=z),
        pyo.sin(z) * x1**2,
    ]


def expected_degrees(expressions):
    """Pyomo's own polynomial degrees (None: not polynomial) and whether an unfixed variable appears."""
    degrees = [expr.polynomial_degree() for expr in expressions]
    free = [any(not v.fixed for v in identify_variables(expr)) for expr in expressions]
    return degrees, free


def tape_degrees(expressions):
    tape = ExpressionTape()
    roots = [tape.add(expr) for expr in expressions]
    degrees, free = tape.degrees(roots)
    return [None if d >= NONPOLYNOMIAL else int(d) for d in degrees], list(free), tape


def test_tape_degrees_agree_with_pyomo():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([1, 2], initialize=1.0)
    m.z = pyo.Var(initialize=2.0)
    m.z.fix()
    m.p = pyo.Param(mutable=True, initialize=3)
    expressions = degree_cases(m.x[1], m.x[2], m.z, m.p)
    degrees, free, _ = tape_degrees(expressions)
    assert (degrees, free) == expected_degrees(expressions)


def test_tape_degrees_of_many_similar_terms_agree_with_pyomo():
    # Hundreds of operations of each kind at each depth: the pass that goes depth by depth with numpy.
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(400), initialize=1.0)
    m.z = pyo.Var(range(200), initialize=2.0)
    m.z.fix()
    m.p = pyo.Param(range(200), mutable=True, initialize=lambda _m, i: 1 + i % 3)  # exponents 1, 2, 3
    expressions = [expr for i in range(200) for expr in degree_cases(m.x[2 * i], m.x[2 * i + 1], m.z[i], m.p[i])]
    degrees, free, tape = tape_degrees(expressions)
    assert (degrees, free) == expected_degrees(expressions)
    assert tape.degree_depends_on_parameters  # x2 ** p: a new value of p may change the degree
    for i in range(200):
        m.p[i] = 0.5 if i % 2 else 4  # a square root makes x2 ** p non-polynomial; 4 raises its degree
    degrees, free = tape.degrees([tape.add(expr) for expr in expressions])  # recorded already: the same roots
    assert ([None if d >= NONPOLYNOMIAL else int(d) for d in degrees], list(free)) == expected_degrees(expressions)


def test_tape_degrees_of_a_deep_chain_agree_with_pyomo():
    # One operation per depth: the pass in recording order.
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(300), initialize=1.0)
    chain = m.x[0]
    for i in range(1, 300):
        chain = (chain * m.x[i]) ** 1 if i % 2 else pyo.log(1 + chain) * m.x[i]
    expressions = [chain, m.x[0] * m.x[1] * m.x[2] * m.x[3], sum(m.x[i] ** 2 for i in range(300))]
    degrees, free, _ = tape_degrees(expressions)
    assert (degrees, free) == expected_degrees(expressions)


def test_tape_values_match_pyomo_on_a_shared_subexpression():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([1, 2, 3], initialize={1: 0.3, 2: 1.7, 3: 2.2})
    m.p = pyo.Param(mutable=True, initialize=0.8)
    shared = m.x[1] * m.x[2] + m.p
    expressions = [
        shared**2 + pyo.sin(shared),
        pyo.sqrt(m.x[3]) - shared / m.x[3],
        abs(m.x[1] - m.x[2]) + pyo.Expr_if(IF=m.x[1] <= m.x[2], THEN=m.x[3], ELSE=-m.x[3]),
    ]
    compiled = compile_model(
        inspect_model(_model_with_objectives(m, expressions[0], expressions[1:]))  # one objective, two rows
    )
    x = np.array([0.3, 1.7, 2.2])
    assert float(compiled.objective(x)) == pytest.approx(pyo.value(expressions[0]), rel=1e-14)
    assert np.asarray(compiled.constraints(x)).ravel() == pytest.approx(
        [pyo.value(e) for e in expressions[1:]], rel=1e-14
    )


def _model_with_objectives(m, objective, rows):
    m.o = pyo.Objective(expr=objective)
    m.rows = pyo.Constraint(range(len(rows)), rule=lambda _m, i: rows[i] <= 100)
    return m


def test_a_parameter_as_exponent_reclassifies_the_model_when_it_changes():
    m = pyo.ConcreteModel()
    m.k = pyo.Param(mutable=True, initialize=2)
    m.x = pyo.Var(bounds=(1, 2))
    m.o = pyo.Objective(expr=m.x**m.k)
    assert inspect_model(m).kind == "QP"
    m.k = 3
    assert inspect_model(m).kind == "NLP"
    m.k = 1
    assert inspect_model(m).kind == "LP"
