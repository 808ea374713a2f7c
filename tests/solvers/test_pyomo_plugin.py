"""evgames_ipopt and evgames_pso behave as Pyomo solvers: results, termination, suffixes and dual signs."""

import subprocess
import sys

import pyomo.environ as pyo
import pytest

import evgames.solvers  # noqa: F401 - registers evgames_ipopt and evgames_pso with Pyomo


def hs071():
    # Hock & Schittkowski problem 71, Ipopt's own example: f* = 17.0140173 at (1, 4.7429994, 3.8211503, 1.3794082).
    m = pyo.ConcreteModel()
    m.x = pyo.Var([1, 2, 3, 4], bounds=(1, 5), initialize={1: 1, 2: 5, 3: 5, 4: 1})
    m.product = pyo.Constraint(expr=m.x[1] * m.x[2] * m.x[3] * m.x[4] >= 25)
    m.sphere = pyo.Constraint(expr=sum(m.x[i] ** 2 for i in m.x) == 40)
    m.f = pyo.Objective(expr=m.x[1] * m.x[4] * (m.x[1] + m.x[2] + m.x[3]) + m.x[3])
    return m


def with_suffixes(m):
    for name in ("dual", "rc", "ipopt_zL_out", "ipopt_zU_out"):
        m.add_component(name, pyo.Suffix(direction=pyo.Suffix.IMPORT))
    return m


def lp(sense):
    # x in [0, 3], y >= 0; a: x + y <= 4, b: x + 3y >= 2. Max 3x + 2y binds a and x's upper bound;
    # min x + 2y binds b and x's lower bound: both have unique, nondegenerate duals.
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 3))
    m.y = pyo.Var(bounds=(0, None))
    m.a = pyo.Constraint(expr=m.x + m.y <= 4)
    m.b = pyo.Constraint(expr=m.x + 3 * m.y >= 2)
    objective = 3 * m.x + 2 * m.y if sense == pyo.maximize else m.x + 2 * m.y
    m.o = pyo.Objective(expr=objective, sense=sense)
    return with_suffixes(m)


def test_hs071_runs_as_a_pyomo_ipopt_script():
    m = with_suffixes(hs071())
    results = pyo.SolverFactory("evgames_ipopt").solve(m, tee=False, options={"tol": 1e-10})
    pyo.assert_optimal_termination(results)
    assert pyo.check_optimal_termination(results)
    assert pyo.value(m.f) == pytest.approx(17.0140173, abs=1e-6)
    assert [pyo.value(m.x[i]) for i in m.x] == pytest.approx([1, 4.7429994, 3.8211503, 1.3794082], abs=1e-6)
    assert results.problem.upper_bound == pytest.approx(17.0140173, abs=1e-6)
    # x1 sits on its lower bound: rc and zL equal its multiplier (Ipopt reports 1.0879), zU is 0
    assert m.rc[m.x[1]] == pytest.approx(1.08787, abs=1e-4)
    assert m.ipopt_zL_out[m.x[1]] == pytest.approx(1.08787, abs=1e-4) and m.ipopt_zU_out[m.x[1]] == 0


def test_hs071_duals_are_the_derivatives_of_the_optimum_with_respect_to_the_bounds():
    m = with_suffixes(hs071())
    pyo.SolverFactory("evgames_ipopt").solve(m)
    base = pyo.value(m.f)
    step = 1e-4
    for constraint, lower_bounded in ((m.product, True), (m.sphere, False)):
        moved = hs071()
        target = moved.find_component(constraint.name)
        bound = 25 + step if lower_bounded else 40 + step
        target.set_value(target.body >= bound if lower_bounded else target.body == bound)
        pyo.SolverFactory("evgames_ipopt").solve(moved)
        assert m.dual[constraint] == pytest.approx((pyo.value(moved.f) - base) / step, rel=1e-3)
    assert m.dual[m.product] > 0  # a binding >= row of a minimisation


def test_rearranged_constraint_dual_has_the_sensitivity_sign():
    # max x s.t. x**2 <= y**2 + z**2, which Pyomo stores as x**2 - (y**2 + z**2) <= 0 (the bound is the 0).
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 4), initialize=1)
    m.y = pyo.Var(bounds=(0, 1), initialize=0.5)
    m.z = pyo.Var(bounds=(0, 1), initialize=0.5)
    m.cone = pyo.Constraint(expr=m.x**2 <= m.y**2 + m.z**2)
    m.o = pyo.Objective(expr=-m.x)
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    pyo.assert_optimal_termination(pyo.SolverFactory("evgames_ipopt").solve(m))
    # optimum x = sqrt(2); raising the bound 0 to t gives x = sqrt(2 + t): d(-x)/dt = -1 / (2 sqrt 2)
    assert pyo.value(m.x) == pytest.approx(2**0.5, abs=1e-7)
    assert m.dual[m.cone] == pytest.approx(-1 / (2 * 2**0.5), abs=1e-6)


@pytest.mark.parametrize("sense", [pyo.minimize, pyo.maximize])
def test_lp_duals_equal_appsi_highs(sense):
    ours, theirs = lp(sense), lp(sense)
    pyo.assert_optimal_termination(pyo.SolverFactory("evgames_ipopt").solve(ours))
    pyo.assert_optimal_termination(pyo.SolverFactory("appsi_highs").solve(theirs))
    for name in ("a", "b"):
        assert ours.dual[ours.component(name)] == pytest.approx(theirs.dual[theirs.component(name)], abs=1e-7)
    for name in ("x", "y"):
        assert ours.rc[ours.component(name)] == pytest.approx(theirs.rc[theirs.component(name)], abs=1e-7)


def test_load_solutions_false_leaves_the_model_and_loads_later():
    m = with_suffixes(hs071())
    results = pyo.SolverFactory("evgames_ipopt").solve(m, load_solutions=False)
    assert pyo.value(m.x[2]) == 5  # untouched
    pyo.assert_optimal_termination(results)
    m.solutions.load_from(results)
    assert pyo.value(m.x[2]) == pytest.approx(4.7429994, abs=1e-6)
    assert m.dual[m.product] > 0


def test_limits_and_infeasibility_are_not_optimal():
    results = pyo.SolverFactory("evgames_ipopt").solve(hs071(), options={"max_iter": 2})
    assert results.solver.termination_condition == pyo.TerminationCondition.maxIterations
    with pytest.raises(RuntimeError, match="maxIterations"):
        pyo.assert_optimal_termination(results)
    m = hs071()
    m.x[1].setub(0.5)
    m.x[1].setlb(0)
    m.sphere.set_value(sum(m.x[i] ** 2 for i in m.x) == 200)  # 4 * 25 < 200: no point of the box reaches it
    results = pyo.SolverFactory("evgames_ipopt").solve(m)
    assert results.solver.termination_condition == pyo.TerminationCondition.infeasible


def test_pso_is_never_optimal():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-2, 2))
    m.o = pyo.Objective(expr=(m.x - 1) ** 2)
    results = pyo.SolverFactory("evgames_pso").solve(m, options={"seed": 1})
    assert results.solver.status == pyo.SolverStatus.ok
    assert results.solver.termination_condition == pyo.TerminationCondition.feasible
    assert not pyo.check_optimal_termination(results)
    assert pyo.value(m.x) == pytest.approx(1, abs=1e-3)


def test_available_tells_the_truth():
    assert pyo.SolverFactory("evgames_ipopt").available() is True
    assert pyo.SolverFactory("evgames_pso").available(exception_flag=False) is True


@pytest.mark.parametrize(
    "statement",
    [
        "import evgames.solvers; import pyomo.environ as pyo",
        "import pyomo.environ as pyo; import evgames.solvers",
        "import evgames.solvers; import pyomo.core; from pyomo.opt import SolverFactory as F; pyo = type('', (), "
        "{'SolverFactory': F})",
    ],
)
def test_registration_in_a_fresh_interpreter(statement):
    probe = f"{statement}; print(type(pyo.SolverFactory('evgames_ipopt')).__name__)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "EvgamesIpopt"
