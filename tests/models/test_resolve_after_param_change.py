"""Changing a mutable parameter and re-solving gives the answer of a model rebuilt from the changed data."""

import copy

import pytest
from strategies import SEED000_BARGAINING

from evgames.data.shipped import load_case
from evgames.models import bargaining, satisfaction, station_alliance
from evgames.solvers import solve


def resolve_and_rebuild(build, record, change, edit, solver):
    """Solve ``build(record)``, apply ``edit`` to the model and re-solve; also solve ``build`` of the changed record.

    Returns the first, the re-solved and the rebuilt results.
    """
    model = build(record)
    first = solve(model, solver)
    edit(model)
    changed = solve(model, solver)
    rebuilt_record = copy.deepcopy(record)
    change(rebuilt_record)
    rebuilt = solve(build(rebuilt_record), solver)
    return first, changed, rebuilt


def build_bargaining(record):
    return bargaining.build_model(bargaining.BargainingData.from_dict(record))


def build_satisfaction(record):
    return satisfaction.build_model(satisfaction.SatisfactionData.from_dict(record))


BARGAINING = SEED000_BARGAINING


def test_bargaining_costs_powers_and_benefit():
    def change(record):
        record["players"][0].update(cost=90, power=0.40)
        record["players"][2]["power"] = 0.35
        record["negotiation_cost"] = 80

    def edit(model):
        model.cost["car"] = 90
        model.power["car"] = 0.40
        model.power["operator"] = 0.35
        model.net_benefit = 920

    first, changed, rebuilt = resolve_and_rebuild(build_bargaining, BARGAINING, change, edit, "ipopt")
    assert changed.values == pytest.approx(rebuilt.values, abs=1e-9)
    assert changed.objective == pytest.approx(rebuilt.objective, abs=1e-9)
    assert changed.values["share[car]"] != pytest.approx(first.values["share[car]"], abs=1e-3)  # the change mattered


SATISFACTION = {
    "players": [
        {"name": "car", "power": 0.32, "proposal": {"car": 0.37, "facility": 0.24, "operator": 0.39}},
        {"name": "facility", "power": 0.25, "proposal": {"car": 0.31, "facility": 0.36, "operator": 0.33}},
        {"name": "operator", "power": 0.43, "proposal": {"car": 0.32, "facility": 0.26, "operator": 0.42}},
    ],
}


def test_satisfaction_powers():
    def change(record):
        record["players"][0]["power"] = 0.40
        record["players"][2]["power"] = 0.35

    def edit(model):
        model.power["car"] = 0.40
        model.power["operator"] = 0.35

    first, changed, rebuilt = resolve_and_rebuild(build_satisfaction, SATISFACTION, change, edit, "ipopt")
    assert changed.values == pytest.approx(rebuilt.values, abs=1e-9)
    assert changed.objective == pytest.approx(rebuilt.objective, abs=1e-9)
    assert changed.objective != pytest.approx(first.objective, abs=1e-3)


@pytest.mark.parametrize("solver", ["highs", "ipopt"])
def test_station_alliance_prices_and_costs(solver):
    record = load_case("seed001_stations")
    relax = solver == "ipopt"  # Ipopt takes the LP relaxation; HiGHS the MILP

    def change(changed):
        changed["stations"][0]["profit_per_vehicle"] = 36
        changed["stations"][1]["operating_cost"] += 50
        changed["platform_cost"] = 100

    def edit(model):
        first, second = list(model.stations)[:2]
        model.profit[first] = 36
        model.operating_cost[second] = model.operating_cost[second].value + 50
        model.platform_cost = 100

    def build(changed):
        return station_alliance.build_model(station_alliance.StationAllianceData.from_dict(changed), None, relax)

    first, changed, rebuilt = resolve_and_rebuild(build, record, change, edit, solver)
    assert changed.objective == pytest.approx(rebuilt.objective, abs=1e-6)
    assert changed.values == pytest.approx(rebuilt.values, abs=1e-6)
    assert changed.objective != pytest.approx(first.objective, abs=1e-3)
