import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from strategies import SEED000_BARGAINING, bargaining_records

from evgames.data import DataError
from evgames.models import bargaining
from evgames.solvers import NonOptimalTerminationError, solve

SEED000 = SEED000_BARGAINING


def test_closed_form_on_seed000_by_hand():
    # eq. (9) by hand: V - k = 900, Σ(C+G) = 810, so 1 - 810/900 = 0.1.
    data = bargaining.BargainingData.from_dict(SEED000)
    expected = {"car": 0.32 * 0.1 + 280 / 900, "facility": 0.25 * 0.1 + 210 / 900, "operator": 0.43 * 0.1 + 320 / 900}
    shares = bargaining.closed_form(data)
    for name, value in expected.items():
        assert shares[name] == pytest.approx(value, abs=1e-15)
    assert bargaining.payoffs(data, shares)["car"] == pytest.approx(0.343111111 * 900 - 100, abs=1e-5)


def test_ipopt_agrees_with_closed_form_on_seed000():
    data = bargaining.BargainingData.from_dict(SEED000)
    solution = bargaining.solve(data)
    assert solution.result.status == "optimal"
    assert solution.result.route.startswith("cyipopt+casadi")
    assert np.max(np.abs(solution.shares - bargaining.closed_form(data))) < 1e-8
    assert solution.result.objective == pytest.approx(bargaining.log_nash_product(data, solution.shares), abs=1e-12)


def test_solution_frames_and_contract():
    solution = bargaining.solve(bargaining.BargainingData.from_dict(SEED000))
    frame = solution.to_frame()
    assert list(frame.columns) == ["share", "payoff", "improvement"]
    record = solution.to_dict()
    assert set(record) == {"model", "status", "solver", "shares", "payoffs", "objective"}
    assert record["model"] == "bargaining" and record["status"] == "optimal"
    assert frame.loc["car", "improvement"] == pytest.approx(frame.loc["car", "payoff"] / 180 - 1)


@given(bargaining_records())
def test_ipopt_equals_closed_form_on_random_instances(record):
    data = bargaining.BargainingData.from_dict(record)
    solution = bargaining.solve(data)
    closed = bargaining.closed_form(data)
    assert np.max(np.abs(solution.shares - closed)) < 1e-7


@given(bargaining_records())
def test_closed_form_satisfies_kkt_and_participation(record):
    # Stationarity of eq. (6): γ_i (V-k) / (U_i - G_i) is the same λ for every player.
    data = bargaining.BargainingData.from_dict(record)
    shares = bargaining.closed_form(data)
    payoff = bargaining.payoffs(data, shares)
    gains = np.array([payoff[p.name] - p.standalone for p in data.players])
    ratios = np.array([p.power for p in data.players]) * data.net_benefit / gains
    assert np.ptp(ratios) <= 1e-9 * np.max(ratios)
    assert np.all(gains > 0)  # individual rationality: U_i > G_i
    assert math.isclose(shares.sum(), 1.0, abs_tol=1e-12)  # efficiency: all of V_m - k is shared


@given(bargaining_records(max_players=4))
def test_closed_form_is_pareto_optimal_and_better_than_perturbations(record):
    data = bargaining.BargainingData.from_dict(record)
    shares = bargaining.closed_form(data)
    best = bargaining.log_nash_product(data, shares)
    rng = np.random.default_rng(0)
    for _ in range(20):
        step = rng.normal(size=len(shares)) * 1e-4
        step -= step.mean()  # stay on Σ a = 1
        assert bargaining.log_nash_product(data, shares + step) <= best + 1e-12


@settings(max_examples=10, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(bargaining_records(max_players=4))
def test_pso_is_close_to_closed_form_on_random_instances(record):
    data = bargaining.BargainingData.from_dict(record)
    solution = bargaining.solve(data, "pso", {"swarm_size": 50, "iterations": 1200, "stall_iterations": 120})
    closed = bargaining.closed_form(data)
    best = bargaining.log_nash_product(data, closed)
    assert bargaining.log_nash_product(data, solution.shares) >= best - 1e-3 * max(1.0, abs(best))
    assert np.max(np.abs(solution.shares - closed)) < 2e-2


def test_pso_is_close_to_closed_form():
    data = bargaining.BargainingData.from_dict(SEED000)
    solution = bargaining.solve(data, "pso", {"swarm_size": 60, "iterations": 1500, "stall_iterations": 150})
    assert np.max(np.abs(solution.shares - bargaining.closed_form(data))) < 1e-3
    assert solution.result.route.startswith("evgames PSO")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"total_benefit": 700}, "total_benefit"),  # no surplus: 700 - 100 < 810
        ({"negotiation_cost": 1000}, "negotiation_cost"),
        ({"players": [{**SEED000["players"][0], "power": 0}, *SEED000["players"][1:]]}, "players[0].power"),
        ({"players": [{**SEED000["players"][0], "power": -0.1}, *SEED000["players"][1:]]}, "players[0].power"),
        ({"players": [{**SEED000["players"][0], "power": 0.5}, *SEED000["players"][1:]]}, "players.power"),
        ({"players": [SEED000["players"][0], SEED000["players"][0], SEED000["players"][2]]}, "players.name[1]"),
        ({"players": SEED000["players"][:1]}, "players"),
        ({"players": [{**SEED000["players"][0], "cost": "abc"}, *SEED000["players"][1:]]}, "players[0].cost"),
        ({"surplus_share": 1}, "bargaining.surplus_share"),
    ],
)
def test_invalid_data_names_the_field(change, field):
    with pytest.raises(DataError) as raised:
        bargaining.BargainingData.from_dict({**SEED000, **change})
    assert raised.value.field == field


def test_powers_can_be_normalised_on_request():
    players = [{**p, "power": p["power"] * 2} for p in SEED000["players"]]
    data = bargaining.BargainingData.from_dict({**SEED000, "players": players, "normalise_powers": True})
    assert [p.power for p in data.players] == pytest.approx([0.32, 0.25, 0.43])


def test_failure_is_raised_not_returned():
    data = bargaining.BargainingData.from_dict(SEED000)
    with pytest.raises(NonOptimalTerminationError) as raised:
        bargaining.solve(data, "ipopt", {"max_iter": 1})
    assert raised.value.result.status == "iteration_limit"
    result = bargaining.solve(data, "ipopt", {"max_iter": 1}, raise_on_failure=False).result
    assert result.status == "iteration_limit"


def test_verify_gives_agreeing_verdicts_for_eq9():
    table = bargaining.verify(bargaining.BargainingData.from_dict(SEED000))
    assert table.passed and {check.check for check in table.checks} == {"eq. (9) vs ipopt", "eq. (9) vs pso"}


def test_solves_of_changed_data_for_the_same_players_equal_the_closed_form_and_a_fresh_model():
    # bargaining.solve reuses the model built for the same players; each answer must be that of its own data
    base = bargaining.BargainingData.from_dict(SEED000)
    changed_record = {
        **SEED000,
        "players": [{**p, "cost": p["cost"] + 20.0 * i} for i, p in enumerate(SEED000["players"])],
    }
    changed = bargaining.BargainingData.from_dict(changed_record)
    for data in (base, changed, base):
        solution = bargaining.solve(data)
        assert np.max(np.abs(solution.shares - bargaining.closed_form(data))) < 1e-8
        fresh_model = bargaining.build_model(data)
        fresh = solve(fresh_model, "ipopt")
        assert solution.result.objective == pytest.approx(fresh.objective, abs=1e-12)
        assert solution.result.duals == pytest.approx(fresh.duals, abs=1e-7)


def test_concurrent_solves_each_get_their_own_answer():
    records = [
        {**SEED000, "players": [{**p, "power": w} for p, w in zip(SEED000["players"], powers)]}
        for powers in ([0.2, 0.3, 0.5], [0.5, 0.3, 0.2], [1 / 3, 1 / 3, 1 / 3], [0.6, 0.2, 0.2])
    ]
    datasets = [bargaining.BargainingData.from_dict(record) for record in records] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        solutions = list(pool.map(bargaining.solve, datasets))
    for data, solution in zip(datasets, solutions):
        assert np.max(np.abs(solution.shares - bargaining.closed_form(data))) < 1e-8
