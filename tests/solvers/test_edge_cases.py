"""Edge cases of the solver layer: no objective, nothing free, limits, unbounded PSO variables, warm starts."""

import pyomo.environ as pyo
import pytest

from evgames.solvers import (
    ModelTypeError,
    NonOptimalTerminationError,
    SolverConfig,
    SolverOptionError,
    Status,
    solve,
)


def disc():
    # the unit disc cut by x + y >= 1.2: feasible points exist (e.g. (0.6, 0.6)); no objective
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-2, 2), initialize=0)
    m.y = pyo.Var(bounds=(-2, 2), initialize=0)
    m.inside = pyo.Constraint(expr=m.x**2 + m.y**2 <= 1)
    m.cut = pyo.Constraint(expr=m.x + m.y >= 1.2)
    return m


@pytest.mark.parametrize("route", ["ipopt", "pso"])
def test_feasibility_model_without_objective_solves(route):
    m = disc()
    result = solve(m, route, {"seed": 2} if route == "pso" else None)
    assert result.objective == 0
    x, y = result.values["x"], result.values["y"]
    assert x**2 + y**2 <= 1 + 1e-7 and x + y >= 1.2 - 1e-7


def test_linear_feasibility_model_solves_with_highs():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 10))
    m.y = pyo.Var(bounds=(0, 10))
    m.c = pyo.Constraint(expr=m.x + 2 * m.y == 7)
    result = solve(m, "highs")
    assert result.status == "optimal" and result.values["x"] + 2 * result.values["y"] == pytest.approx(7)


@pytest.mark.parametrize("route", ["ipopt", "highs", "pso"])
def test_all_fixed_model_is_evaluated_not_crashed(route):
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=2)
    m.x.fix()
    m.c = pyo.Constraint(expr=m.x <= 3)
    m.o = pyo.Objective(expr=5 * m.x)
    result = solve(m, route)
    assert (result.status, result.objective) == ("optimal", 10)
    assert "evaluated" in result.message
    m.c.set_value(m.x >= 3)
    with pytest.raises(NonOptimalTerminationError, match=r"infeasible.*violated: \['c'\]"):
        solve(m, route)


def slow_nlp():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-5, 5), initialize=4)
    m.o = pyo.Objective(expr=(m.x - 1) ** 4 + pyo.exp(m.x))
    return m


def test_limits_carry_their_own_messages():
    result = solve(slow_nlp(), "ipopt", {"max_iter": 1}, raise_on_failure=False)
    assert result.status == "iteration_limit" and "iteration limit (max_iter = 1)" in result.message
    result = solve(slow_nlp(), SolverConfig(name="ipopt", time_limit=1e-9), raise_on_failure=False)
    assert result.status == "time_limit" and "time limit (max_wall_time = 1e-09 s)" in result.message
    assert "Unknown status" not in result.message


def unbounded_nlp():
    # min (x - 3)^2 + (y + 2)^2 with x >= 0 and y free: optimum (3, -2)
    m = pyo.ConcreteModel()
    m.x = pyo.Var(within=pyo.NonNegativeReals)
    m.y = pyo.Var()
    m.o = pyo.Objective(expr=(m.x - 3) ** 2 + (m.y + 2) ** 2)
    return m


def test_pso_names_the_unbounded_variable_and_takes_bounds_from_the_config():
    with pytest.raises(ModelTypeError, match=r"variable x has no finite upper bound \(nor do \['y'\]\).*default_bound"):
        solve(unbounded_nlp(), "pso")
    result = solve(unbounded_nlp(), "pso", {"default_bound": 10, "seed": 1})
    assert result.values == pytest.approx({"x": 3, "y": -2}, abs=1e-3)
    result = solve(unbounded_nlp(), "pso", {"bounds": {"x": [0, 5], "y": [-5, 0]}, "seed": 1})
    assert result.values == pytest.approx({"x": 3, "y": -2}, abs=1e-3)
    with pytest.raises(SolverOptionError, match="not free variables"):
        solve(unbounded_nlp(), "pso", {"bounds": {"z": [0, 1]}})


def test_a_solve_starts_from_the_built_values_unless_warm_start():
    # Two local minima of (x^2 - 1)^2: a start at 0.5 goes to 1, a start at -0.5 goes to -1.
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-2, 2), initialize=0.5)
    m.o = pyo.Objective(expr=(m.x**2 - 1) ** 2)
    assert solve(m, "ipopt").values["x"] == pytest.approx(1)
    m.x.value = -0.5  # ignored by default: the solve starts where the model was built
    assert solve(m, "ipopt").values["x"] == pytest.approx(1)
    m.x.value = -0.5
    assert solve(m, SolverConfig(name="ipopt", warm_start=True)).values["x"] == pytest.approx(-1)


def _fixed_x_model(fixed_value):
    model = pyo.ConcreteModel()
    model.x = pyo.Var()
    model.y = pyo.Var(bounds=(0, 1))
    model.x.fix(fixed_value)
    model.floor = pyo.Constraint(expr=model.x >= 2)  # no free variable in it: decided by the fixed value
    model.value = pyo.Objective(expr=model.y)
    return model


@pytest.mark.parametrize("solver", ["highs", "ipopt", "pso"])
def test_a_constraint_of_fixed_values_alone_is_evaluated_not_sent_to_the_solver(solver):
    broken = solve(_fixed_x_model(1.0), solver, raise_on_failure=False)  # 1 >= 2 fails: infeasible, proved
    assert broken.status == Status.INFEASIBLE and "floor" in broken.message
    held = solve(_fixed_x_model(3.0), solver, raise_on_failure=False)  # 3 >= 2 holds: min y on [0, 1] is 0
    assert held.converged and held.values["y"] == pytest.approx(0.0, abs=1e-6)
