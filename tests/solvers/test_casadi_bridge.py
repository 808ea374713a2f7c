import numpy as np
import pyomo.environ as pyo
import pytest

from evgames.solvers import ModelTypeError, inspect_model
from evgames.solvers.casadi_bridge import compile_model


def model_with_every_node():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([1, 2, 3], bounds=(0.5, 3), initialize={1: 1.1, 2: 1.7, 3: 0.9})
    m.z = pyo.Var(initialize=2.0)
    m.z.fix()
    m.p = pyo.Param(mutable=True, initialize=1.5)
    m.e = pyo.Expression(expr=m.x[1] * m.p + m.z)
    m.o = pyo.Objective(
        expr=pyo.log(m.x[1])
        + pyo.exp(0.3 * m.x[2]) * m.x[3]
        + m.e**2
        - m.x[2] / m.x[1]
        + pyo.sqrt(m.x[3])
        + pyo.sin(m.x[1]) * pyo.cos(m.x[2])
        + abs(m.x[3] - 2)
        + pyo.tanh(m.x[1] * m.x[2])
        + 3 * m.x[1]
        - m.x[2],
    )
    m.c1 = pyo.Constraint(expr=m.x[1] * m.x[2] ** 2 <= 4)
    m.c2 = pyo.Constraint(expr=(0.1, m.x[1] + 2 * m.x[2] - m.x[3], 7))
    m.c3 = pyo.Constraint(expr=pyo.log10(m.x[3]) + m.z * m.x[2] == 3)
    return m


def reference_values(x):
    x1, x2, x3 = x
    f = (
        np.log(x1)
        + np.exp(0.3 * x2) * x3
        + (1.5 * x1 + 2) ** 2
        - x2 / x1
        + np.sqrt(x3)
        + np.sin(x1) * np.cos(x2)
        + abs(x3 - 2)
        + np.tanh(x1 * x2)
        + 3 * x1
        - x2
    )
    g = np.array([x1 * x2**2, x1 + 2 * x2 - x3, np.log10(x3) + 2 * x2])
    return f, g


def test_values_and_bounds_match_hand_written_functions():
    model = model_with_every_node()  # kept: the compiled functions name the model's variables
    nlp = compile_model(inspect_model(model))
    x = np.array([1.1, 1.7, 0.9])
    f, g = reference_values(x)
    assert float(nlp.objective(x)) == pytest.approx(f, rel=1e-14)
    assert np.asarray(nlp.constraints(x)).ravel() == pytest.approx(g, rel=1e-14)
    assert nlp.g_lower[1] == 0.1 and nlp.g_upper[1] == 7 and nlp.g_lower[2] == nlp.g_upper[2] == 3
    assert list(nlp.names) == ["x[1]", "x[2]", "x[3]"]  # the fixed z is a constant, not a variable


def test_derivatives_match_finite_differences():
    model = model_with_every_node()  # kept: the compiled functions name the model's variables
    nlp = compile_model(inspect_model(model))
    x = np.array([1.1, 1.7, 0.9])
    h = 1e-6

    def fd_gradient(fun):
        return np.array([(fun(x + h * e) - fun(x - h * e)) / (2 * h) for e in np.eye(3)])

    grad = np.asarray(nlp.gradient(x)).ravel()
    assert grad == pytest.approx(fd_gradient(lambda p: reference_values(p)[0]), rel=1e-6, abs=1e-7)

    jac = np.zeros((3, 3))
    rows, cols = nlp.jacobian_structure
    jac[rows, cols] = np.asarray(nlp.jacobian(x)).ravel()
    assert jac == pytest.approx(fd_gradient(lambda p: reference_values(p)[1]).T, rel=1e-6, abs=1e-7)

    multipliers = np.array([0.3, -1.2, 0.7])
    sigma = 0.9

    def lagrangian_gradient(p):
        return sigma * np.asarray(nlp.gradient(p)).ravel() + jac_at(p).T @ multipliers

    def jac_at(p):
        matrix = np.zeros((3, 3))
        matrix[rows, cols] = np.asarray(nlp.jacobian(p)).ravel()
        return matrix

    hess = np.zeros((3, 3))
    h_rows, h_cols = nlp.hessian_structure
    assert np.all(h_rows >= h_cols)  # lower triangle, as Ipopt expects
    hess[h_rows, h_cols] = np.asarray(nlp.hessian(x, multipliers, sigma)).ravel()
    full = hess + np.tril(hess, -1).T
    assert full == pytest.approx(fd_gradient(lagrangian_gradient), rel=1e-5, abs=1e-6)


def test_mutable_parameter_is_read_at_compile_time():
    m = model_with_every_node()
    m.p = 2.5
    nlp = compile_model(inspect_model(m))
    x = np.array([1.0, 1.0, 1.0])
    f_changed = float(nlp.objective(x))
    m.p = 1.5
    assert f_changed - float(compile_model(inspect_model(m)).objective(x)) == pytest.approx(
        (2.5 + 2) ** 2 - (1.5 + 2) ** 2
    )


def test_non_smooth_function_is_refused():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 2))
    m.o = pyo.Objective(expr=pyo.ceil(m.x))
    with pytest.raises(ModelTypeError, match="ceil"):
        compile_model(inspect_model(m))
