import pyomo.environ as pyo
import pytest

from evgames.solvers import (
    ModelTypeError,
    NonOptimalTerminationError,
    SolverConfig,
    SolverNotAvailableError,
    SolverOptionError,
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
    assert result.status == "optimal" and result.route.startswith("pyomo appsi_highs")
    assert result.objective == pytest.approx(12)
    assert result.values == pytest.approx({"x": 4, "y": 0})
    assert abs(result.duals["a"]) == pytest.approx(3)  # shadow price of x + y <= 4
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
    assert solve(lp(), "ipopt").objective == pytest.approx(12, abs=1e-7)


def test_highs_refuses_nonlinear_model_with_a_clear_message():
    with pytest.raises(ModelTypeError, match=r"HiGHS solves LP and MILP.*QP.*Use solver 'ipopt'"):
        solve(nlp(), "highs")


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


def test_model_must_have_one_objective():
    m = nlp()
    m.o2 = pyo.Objective(expr=m.x)
    with pytest.raises(ModelTypeError, match="exactly one active objective"):
        solve(m)


def test_structure_classification():
    assert inspect_model(lp()).kind == "LP"
    assert inspect_model(milp()).kind == "MILP"
    assert inspect_model(nlp()).kind == "QP"
    m = nlp()
    m.o.expr = pyo.log(m.x + 6)
    assert inspect_model(m).kind == "NLP"


def test_any_installed_pyomo_solver_passes_through():
    # 'appsi_highs' is Pyomo's own name, not evgames' registry name, so it takes the pass-through route.
    result = solve(lp(), "appsi_highs")
    assert result.route.startswith("pyomo SolverFactory('appsi_highs')")
    assert result.objective == pytest.approx(12) and result.values == pytest.approx({"x": 4, "y": 0})
    m = lp()
    m.impossible = pyo.Constraint(expr=m.x + m.y >= 10)
    assert solve(m, "appsi_highs", raise_on_failure=False).status == "infeasible"
