import numpy as np
import pytest
from hypothesis import Phase, given, settings
from scipy.optimize import minimize
from strategies import satisfaction_records

from evgames.data import DataError
from evgames.models import satisfaction

SEED000 = {
    "players": [
        {"name": "car", "power": 0.32, "proposal": {"car": 0.37, "facility": 0.24, "operator": 0.39}},
        {"name": "facility", "power": 0.25, "proposal": {"car": 0.31, "facility": 0.36, "operator": 0.33}},
        {"name": "operator", "power": 0.43, "proposal": {"car": 0.32, "facility": 0.26, "operator": 0.42}},
    ],
    "current": {"car": 0.3460, "facility": 0.2341, "operator": 0.4199},
    "adjustment": 0.7,
}
BINDING = {
    "players": [
        {"name": "A", "power": 0.8, "proposal": {"A": 0.36, "B": 0.30, "C": 0.34}},
        {"name": "B", "power": 0.1, "proposal": {"A": 0.30, "B": 0.40, "C": 0.30}},
        {"name": "C", "power": 0.1, "proposal": {"A": 0.30, "B": 0.30, "C": 0.40}},
    ]
}


def scipy_optimum(data):
    """Independent solver: SLSQP on ln Z with the bounds and Σ r = 1."""
    least, ideal, powers = data.least, data.ideal, data.powers
    start = least + (1 - least.sum()) * (ideal - least) / (ideal - least).sum()
    found = minimize(
        lambda r: -np.dot(powers, np.log(np.maximum(r - least, 1e-300) / ideal)),
        start,
        method="SLSQP",
        bounds=list(zip(least + 1e-12, ideal)),
        constraints=[{"type": "eq", "fun": lambda r: r.sum() - 1}],
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    return found.x


def test_ideal_and_least_plans_of_seed000():
    data = satisfaction.SatisfactionData.from_dict(SEED000)
    assert data.ideal == pytest.approx([0.37, 0.36, 0.42])
    assert data.least == pytest.approx([0.31, 0.24, 0.33])


def test_true_optimum_and_eq17_by_hand_on_seed000():
    data = satisfaction.SatisfactionData.from_dict(SEED000)
    slack = 1 - (0.31 + 0.24 + 0.33)  # 0.12; no upper bound binds, so r = q- + γ·slack
    assert satisfaction.optimum(data).to_numpy() == pytest.approx(
        [0.31 + 0.32 * slack, 0.24 + 0.25 * slack, 0.33 + 0.43 * slack], abs=1e-15
    )
    weights = np.array([0.32 * 0.37, 0.25 * 0.36, 0.43 * 0.42])
    expected17 = np.array([0.31, 0.24, 0.33]) + slack * weights / weights.sum()
    assert satisfaction.paper_eq17(data).to_numpy() == pytest.approx(expected17, abs=1e-15)
    # The printed r* = (0.3465, 0.2678, 0.3857) is eq. (17), not the optimum.
    assert np.round(expected17, 4) == pytest.approx([0.3465, 0.2678, 0.3857])


def test_ipopt_confirms_true_optimum_and_rejects_eq17_on_seed000():
    data = satisfaction.SatisfactionData.from_dict(SEED000)
    solution = satisfaction.solve(data)
    assert np.max(np.abs(solution.optimum - solution.closed_form)) < 1e-8
    assert np.max(np.abs(solution.optimum - solution.paper_eq17)) > 1e-3
    assert satisfaction.log_nash_product(data, solution.paper_eq17) < solution.result.objective - 1e-4


def test_binding_bounds_optimum_and_eq17_infeasibility():
    data = satisfaction.SatisfactionData.from_dict(BINDING)
    closed = satisfaction.optimum(data)
    # A is capped at q+ = 0.36; B and C split the rest equally (equal powers, equal q-).
    assert closed.to_numpy() == pytest.approx([0.36, 0.32, 0.32], abs=1e-15)
    assert np.max(np.abs(scipy_optimum(data) - closed.to_numpy())) < 1e-6
    assert np.max(np.abs(satisfaction.solve(data).optimum - closed)) < 1e-8
    eq17 = satisfaction.paper_eq17(data)
    assert eq17["A"] > data.ideal[0] + 0.01
    assert satisfaction.violation(data, eq17) == pytest.approx(eq17["A"] - 0.36)


def test_adjustment_eq18():
    data = satisfaction.SatisfactionData.from_dict(SEED000)
    solution = satisfaction.solve(data)
    expected = {
        name: SEED000["current"][name] + 0.7 * (solution.optimum[name] - SEED000["current"][name])
        for name in data.names
    }
    assert solution.adjusted.to_dict() == pytest.approx(expected, abs=1e-15)
    assert set(solution.to_dict()) >= {"model", "status", "solver", "optimum", "paper_eq17", "adjusted"}


def test_agreed_share_is_fixed_and_others_bargain():
    record = {
        "players": [
            {"name": "A", "power": 0.5, "proposal": {"A": 0.3, "B": 0.4, "C": 0.3}},
            {"name": "B", "power": 0.25, "proposal": {"A": 0.3, "B": 0.3, "C": 0.4}},
            {"name": "C", "power": 0.25, "proposal": {"A": 0.3, "B": 0.35, "C": 0.35}},
        ]
    }
    data = satisfaction.SatisfactionData.from_dict(record)
    closed = satisfaction.optimum(data)
    assert closed["A"] == pytest.approx(0.3)
    assert closed["B"] == pytest.approx(0.35) and closed["C"] == pytest.approx(0.35)  # equal powers split 0.1
    assert np.max(np.abs(satisfaction.solve(data).optimum - closed)) < 1e-8


@given(satisfaction_records())
def test_closed_form_equals_independent_solver(record):
    data = satisfaction.SatisfactionData.from_dict(record)
    closed = satisfaction.optimum(data).to_numpy()
    assert satisfaction.violation(data, satisfaction.optimum(data)) < 1e-12
    reference = scipy_optimum(data)
    assert (
        satisfaction.log_nash_product(data, dict(zip(data.names, reference)))
        <= satisfaction.log_nash_product(data, satisfaction.optimum(data)) + 1e-9
    )
    assert np.max(np.abs(reference - closed)) < 1e-4


@given(satisfaction_records())
def test_ipopt_equals_true_closed_form_with_and_without_binding_bounds(record):
    data = satisfaction.SatisfactionData.from_dict(record)
    solution = satisfaction.solve(data)
    assert np.max(np.abs(solution.optimum - solution.closed_form)) < 1e-7


# PSO is a heuristic: on 40 random instances its point was within 3.5e-4 of the optimum (median 5e-5),
# but extreme instances drawn by hypothesis (optimum on several bounds) end up to ~1e-2 away with an
# objective still within 1e-3. Shrinking a failure re-runs the swarm hundreds of times, so it is off.
@settings(max_examples=15, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(satisfaction_records(max_players=4))
def test_pso_close_to_true_closed_form(record):
    data = satisfaction.SatisfactionData.from_dict(record)
    solution = satisfaction.solve(data, "pso", {"swarm_size": 50, "iterations": 1200, "stall_iterations": 120})
    assert np.max(np.abs(solution.optimum - solution.closed_form)) < 2e-2
    best = satisfaction.log_nash_product(data, solution.closed_form)
    assert satisfaction.log_nash_product(data, solution.optimum) >= best - 1e-3 * max(1.0, abs(best))


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({**SEED000, "current": None, "adjustment": 0.7}, "current"),
        ({**SEED000, "adjustment": 1.5}, "adjustment"),
        ({**SEED000, "current": {"car": 0.5, "facility": 0.5, "operator": 0.5}}, "current"),
        (
            {
                "players": [
                    {**SEED000["players"][0], "proposal": {"car": 0.37, "facility": 0.24}},
                    *SEED000["players"][1:],
                ]
            },
            "players[0].proposal.operator",
        ),
        (
            {
                "players": [
                    {**SEED000["players"][0], "proposal": {"car": 0.5, "facility": 0.5, "operator": 0.0}},
                    *SEED000["players"][1:],
                ]
            },
            "players[0].proposal.operator",
        ),
        (
            {"players": [{**p, "proposal": SEED000["players"][0]["proposal"]} for p in SEED000["players"]]},
            "players.proposal",
        ),
    ],
)
def test_invalid_data_names_the_field(record, field):
    with pytest.raises(DataError) as raised:
        satisfaction.SatisfactionData.from_dict(record)
    assert raised.value.field == field


def test_verify_finds_that_eq17_is_not_the_optimum():
    from evgames.api import load_data

    table = satisfaction.verify(load_data("satisfaction"))
    verdicts = {check.check: check.verdict.value for check in table.checks}
    assert verdicts["true optimum (KKT, bounds included) vs ipopt"] == "agree"
    assert verdicts["paper eq. (17) vs ipopt"] == "differs"  # eq. (17) is not the optimum of (15)-(16)
