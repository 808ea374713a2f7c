import pyomo.environ as pyo
import pytest

from evgames.solvers import (
    ModelTypeError,
    NonOptimalTerminationError,
    SolverConfig,
    SolverNotAvailableError,
    SolverOptionError,
    Status,
    inspect_model,
    native_options,
    solve,
)


def lp():
    # max 3x + 2y s.t. x + y <= 4, x + 3y <= 6, x, y >= 0: vertices (0,0), (4,0), (3,1), (0,2) give
    # 0, 12, 11, 4, so the optimum is (4, 0) with value 12; only x + y <= 4 binds, with dual 3.
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, None))
    m.y = pyo.Var(bounds=(0, None))
    m.a = pyo.Constraint(expr=m.x + m.y <= 4)
    m.b = pyo.Constraint(expr=m.x + 3 * m.y <= 6)
    m.o = pyo.Objective(expr=3 * m.x + 2 * m.y, sense=pyo.maximize)
    return m


def milp():
    # max x + 2y, x + y <= 5.5, y integer in [0, 10], x in [0, 4]: y = 5, x = 0.5, value 10.5.
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 4))
    m.y = pyo.Var(within=pyo.Integers, bounds=(0, 10))
    m.c = pyo.Constraint(expr=m.x + m.y <= 5.5)
    m.o = pyo.Objective(expr=m.x + 2 * m.y, sense=pyo.maximize)
    return m


def nlp():
    # min (x-1)^2 + (y-2)^2 s.t. x + y <= 1: projection of (1, 2) onto the half-plane is (0, 1).
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-5, 5))
    m.y = pyo.Var(bounds=(-5, 5))
    m.c = pyo.Constraint(expr=m.x + m.y <= 1)
    m.o = pyo.Objective(expr=(m.x - 1) ** 2 + (m.y - 2) ** 2)
    return m


def test_highs_lp_and_duals():
    m = lp()
    result = solve(m, "highs")
    assert result.status == "optimal" and result.route.startswith("highspy matrix")
    assert result.objective == pytest.approx(12)
    assert result.values == pytest.approx({"x": 4, "y": 0})
    assert result.duals["a"] == pytest.approx(3)  # d(max)/d(bound 4) of x + y <= 4
    assert result.duals["b"] == pytest.approx(0)


def test_highs_milp_and_ipopt_refuses_integers():
    result = solve(milp(), "highs")
    assert result.objective == pytest.approx(10.5) and result.values["y"] == pytest.approx(5)
    with pytest.raises(ModelTypeError, match="integer"):
        solve(milp(), "ipopt")
    with pytest.raises(ModelTypeError, match="integer"):
        solve(milp(), "pso")


def test_infeasible_lp_is_reported_not_crashed():
    m = lp()
    m.impossible = pyo.Constraint(expr=m.x + m.y >= 10)
    result = solve(m, "highs", raise_on_failure=False)
    assert result.status == "infeasible" and result.values == {}
    with pytest.raises(NonOptimalTerminationError, match="infeasible"):
        solve(m, "highs")


def test_ipopt_solves_nlp_and_lp():
    result = solve(nlp(), "ipopt")
    assert result.values == pytest.approx({"x": 0, "y": 1}, abs=1e-8)
    assert result.objective == pytest.approx(2, abs=1e-8)
    result = solve(lp(), "ipopt")
    assert result.objective == pytest.approx(12, abs=1e-7)
    assert result.duals == pytest.approx({"a": 3, "b": 0}, abs=1e-7)  # the same sign convention as HiGHS


def test_highs_refuses_nonlinear_model_with_a_clear_message():
    m = nlp()
    m.o.expr = pyo.log(m.x + 6)
    with pytest.raises(
        ModelTypeError, match=r"HiGHS solves LP and MILP models, and convex QPs.*NLP.*Use solver 'ipopt'"
    ):
        solve(m, "highs")
    m = nlp()
    m.c.set_value(m.x**2 + m.y <= 1)  # a quadratic constraint: not a QP
    with pytest.raises(ModelTypeError, match=r"QP"):
        solve(m, "highs")


@pytest.mark.parametrize("sense", [pyo.minimize, pyo.maximize])
def test_highs_solves_a_convex_qp_like_ipopt(sense):
    # the nlp() projection, as written and as max of its negation; y appears only in the quadratic terms too
    def qp():
        m = nlp()
        m.z = pyo.Var(bounds=(-1, 1))
        m.o.expr = (m.x - 1) ** 2 + (m.y - 2) ** 2 + m.z**2 + m.x * m.z
        if sense == pyo.maximize:
            m.o.expr = -m.o.expr
            m.o.sense = pyo.maximize
        return m

    ours, reference = solve(qp(), "highs"), solve(qp(), "ipopt")
    assert ours.route.startswith("highspy matrix")
    assert ours.objective == pytest.approx(reference.objective, abs=1e-7)
    assert ours.values == pytest.approx(reference.values, abs=1e-6)
    assert ours.duals == pytest.approx(reference.duals, abs=1e-6)


def test_pso_solves_the_nlp_approximately():
    # The optimum lies on the constraint x + y = 1; over seeds 0-9 the swarm ends within 1e-2 of it.
    result = solve(nlp(), "pso", {"seed": 3})
    assert result.values == pytest.approx({"x": 0, "y": 1}, abs=1e-2)
    assert result.values["x"] + result.values["y"] <= 1 + 1e-7


def test_unknown_solver_and_pyomo_cyipopt_without_asl():
    with pytest.raises(SolverNotAvailableError, match="not available"):
        solve(nlp(), "no_such_solver_xyz")
    try:
        result = solve(nlp(), "pyomo:cyipopt")
    except SolverNotAvailableError as error:  # the pip-only case: available() lies, the probe catches it
        assert "test solve" in str(error) and "'ipopt'" in str(error)
    else:  # a machine with the ASL library: the route must then really work
        assert result.values == pytest.approx({"x": 0, "y": 1}, abs=1e-6)


def test_bad_options_name_the_option():
    with pytest.raises(SolverOptionError, match="no_such_ipopt_option"):
        solve(nlp(), "ipopt", {"no_such_ipopt_option": 1})
    with pytest.raises(SolverOptionError, match="no_such_highs_option"):
        solve(lp(), "highs", {"no_such_highs_option": 1})
    with pytest.raises(SolverOptionError, match="swarm"):
        solve(nlp(), "pso", {"swarm": 10})


def test_generic_settings_translate_per_solver():
    config = SolverConfig(name="ipopt", time_limit=5, tolerance=1e-9, verbose=True, options={"max_iter": 50})
    assert native_options("ipopt", config) == {"max_wall_time": 5, "tol": 1e-9, "print_level": 5, "max_iter": 50}
    assert native_options("highs", config)["mip_rel_gap"] == 1e-9
    assert native_options("glpk", SolverConfig(time_limit=5)) == {"tmlim": 5}
    with pytest.raises(SolverOptionError, match="time_limit has no known translation"):
        native_options("exotic", SolverConfig(time_limit=5))


def test_iteration_limit_is_a_failure():
    with pytest.raises(NonOptimalTerminationError) as raised:
        solve(nlp(), "ipopt", {"max_iter": 1})
    assert raised.value.result.status == "iteration_limit"


def test_model_must_have_at_most_one_objective():
    m = nlp()
    m.o2 = pyo.Objective(expr=m.x)
    with pytest.raises(ModelTypeError, match="at most one active objective"):
        solve(m)


def test_structure_classification():
    assert inspect_model(lp()).kind == "LP"
    assert inspect_model(milp()).kind == "MILP"
    assert inspect_model(nlp()).kind == "QP"
    m = nlp()
    m.o.expr = pyo.log(m.x + 6)
    assert inspect_model(m).kind == "NLP"


@pytest.mark.parametrize("sense", [pyo.minimize, pyo.maximize])
def test_highs_duals_and_reduced_costs_follow_pyomo_appsi_highs(sense):
    # The same convention on every route: d(objective)/d(bound), in the model's own sense.
    def model():
        m = lp()
        m.x.setub(3)
        m.b.set_value(m.x + 3 * m.y >= 2)
        m.o.sense = sense
        return m

    reference = model()
    reference.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    reference.rc = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    pyo.SolverFactory("appsi_highs").solve(reference)
    for route in ("highs", "ipopt"):
        result = solve(model(), route)
        assert result.duals == pytest.approx({c.name: v for c, v in reference.dual.items()}, abs=1e-7)
        assert result.reduced_costs == pytest.approx({v.name: r for v, r in reference.rc.items()}, abs=1e-7)


def test_any_installed_pyomo_solver_passes_through():
    # 'appsi_highs' is Pyomo's own name, not evgames' registry name, so it takes the pass-through route.
    result = solve(lp(), "appsi_highs")
    assert result.route.startswith("pyomo SolverFactory('appsi_highs')")
    assert result.objective == pytest.approx(12) and result.values == pytest.approx({"x": 4, "y": 0})
    m = lp()
    m.impossible = pyo.Constraint(expr=m.x + m.y >= 10)
    assert solve(m, "appsi_highs", raise_on_failure=False).status == "infeasible"


def test_highs_says_infeasible_or_unbounded_when_it_cannot_tell_which():
    # max x over the integers: unbounded, and HiGHS's presolve reports "infeasible or unbounded"
    model = pyo.ConcreteModel()
    model.x = pyo.Var(domain=pyo.Integers)
    model.value = pyo.Objective(expr=model.x, sense=pyo.maximize)
    result = solve(model, "highs", raise_on_failure=False)
    assert result.status in (Status.INFEASIBLE_OR_UNBOUNDED, Status.UNBOUNDED)
    assert result.status is not Status.INFEASIBLE and not result.converged
