import math

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from strategies import small_operator

from evgames.data.subsidy_pricing import SubsidyPricingParams, synthetic_trips
from evgames.data.validation import DataError
from evgames.models.subsidy_pricing import (
    OperatorProblem,
    RegionSearch,
    ResponseTable,
    Subsidies,
    best_response,
    government_optimum,
    outcome_at,
    pso_bilevel,
    subsidy_per_vehicle,
)
from evgames.models.subsidy_pricing.envelope import needed_revenue
from evgames.models.subsidy_pricing.subsidy_plane import Strip
from evgames.solvers import PSOSettings

SMALL = small_operator()
# Instances where the subsidies move the operator's response and the fleet-in-use limit stays slack.
ATTAINED = SubsidyPricingParams(
    base_fleet=10, usage_fleet_response=0.1, subsidy_fleet_response=5, operating_cost=60, vehicle_cost=60000,
    parking_cost=500,
)  # fmt: skip
AT_BREAK_EVEN = ATTAINED.with_overrides({"base_fleet": 20})
TRIPS = synthetic_trips(150, 3)


def _government(params, trips, first, second):
    """U_G at the operator's best response found by the full sweep (independent of the response table)."""
    problem, subsidies = OperatorProblem(params, trips), Subsidies(first, second)
    return outcome_at(problem, best_response(problem, subsidies), subsidies).government


def _grid_values(params, trips, table, points=(26, 16)):
    values = []
    for first in np.linspace(0, params.vehicle_subsidy_max, points[0]):
        for second in np.linspace(0, params.infrastructure_subsidy_max, points[1]):
            subsidies = Subsidies(first, second)
            try:
                response = table.respond(subsidies)
            except DataError:  # the operator cannot break even at these subsidies
                continue
            values.append(outcome_at(OperatorProblem(params, trips), response, subsidies).government)
    return np.array(values)


def test_exact_upper_level_attains_its_value_and_no_grid_point_beats_it():
    table = ResponseTable(OperatorProblem(ATTAINED, TRIPS))
    found = government_optimum(OperatorProblem(ATTAINED, TRIPS), table=table)
    assert found.method == "exact" and not found.supremum
    outcome = found.outcome
    assert outcome.infrastructure_subsidy > 0  # a case where subsidising pays
    assert _government(ATTAINED, TRIPS, outcome.vehicle_subsidy, outcome.infrastructure_subsidy) == pytest.approx(
        outcome.government, rel=1e-12
    )
    assert _grid_values(ATTAINED, TRIPS, table).max() <= outcome.government + 1e-6
    fine = government_optimum(OperatorProblem(ATTAINED, TRIPS), "grid", step=0.01, refine=0.001, table=table)
    assert fine.outcome.government <= outcome.government + 1e-6


def test_a_supremum_is_approached_by_subsidies_a_hair_higher():
    found = government_optimum(OperatorProblem(AT_BREAK_EVEN, TRIPS))
    assert found.supremum and "eq. (12)" in found.note
    first, second = found.outcome.vehicle_subsidy, found.outcome.infrastructure_subsidy
    assert found.outcome.operator == pytest.approx(0.0, abs=1e-6)  # the operator just breaks even there
    # shifting δ from Sc2 to Sc1 keeps Sc1 + Sc2 and raises ρ by δ (α − β): the outlay grows by m δ (α − β)
    rise = subsidy_per_vehicle(AT_BREAK_EVEN, Subsidies(1, -1))
    for delta in (1e-3, 1e-5, 1e-7):
        value = _government(AT_BREAK_EVEN, TRIPS, first + delta, second - delta)
        assert value == pytest.approx(found.outcome.government - found.outcome.fleet * rise * delta, rel=1e-9)
    assert _grid_values(AT_BREAK_EVEN, TRIPS, ResponseTable(OperatorProblem(AT_BREAK_EVEN, TRIPS))).max() <= (
        found.outcome.government
    )


def test_at_an_operator_tie_the_value_is_a_supremum_of_the_responses_just_above():
    params = SubsidyPricingParams(
        base_fleet=15, usage_fleet_response=0.05, subsidy_fleet_response=0.8, operating_cost=6, vehicle_cost=168000,
        parking_cost=2300, grid_service_revenue=24000, trips_per_car=0.2,
    )  # fmt: skip
    trips = synthetic_trips(150, 4)
    found = government_optimum(OperatorProblem(params, trips))
    assert found.supremum and "indifferent" in found.note
    first, second = found.outcome.vehicle_subsidy, found.outcome.infrastructure_subsidy
    below = _government(params, trips, first * (1 - 1e-6), second)  # the operator's other response
    assert below < found.outcome.government - 1.0
    rise = subsidy_per_vehicle(params, Subsidies(1, 0))
    for delta in (1e-4, 1e-6):  # a hair higher the operator takes the response the government wants
        value = _government(params, trips, first + delta, second)
        assert value == pytest.approx(found.outcome.government - found.outcome.fleet * rise * delta, rel=1e-9)


def test_exact_upper_level_is_never_below_a_rescored_swarm():
    tiny_outer = PSOSettings(swarm_size=6, iterations=6, stall_iterations=4, seed=2)
    tiny_inner = PSOSettings(swarm_size=10, iterations=20, stall_iterations=8, seed=0)
    swarm = pso_bilevel(OperatorProblem(ATTAINED, TRIPS), outer=tiny_outer, inner=tiny_inner)
    rescored = outcome_at(OperatorProblem(ATTAINED, TRIPS), swarm.exact, swarm.outcome.subsidies)
    assert government_optimum(OperatorProblem(ATTAINED, TRIPS)).outcome.government >= rescored.government - 1e-6


@given(
    base_fleet=st.integers(8, 25),
    usage=st.sampled_from([0.05, 0.1, 0.137, 0.2]),
    subsidy_response=st.floats(1.0, 20.0),
    vehicle_cost=st.floats(20000, 140000),
    operating_cost=st.floats(5, 80),
    parking_cost=st.floats(100, 2500),
    grid_revenue=st.floats(0, 40000),
    trips_per_car=st.sampled_from([2.0, 0.5, 0.2]),
)
def test_exact_upper_level_dominates_a_grid_on_random_instances(
    base_fleet, usage, subsidy_response, vehicle_cost, operating_cost, parking_cost, grid_revenue, trips_per_car
):
    params = ATTAINED.with_overrides(
        {
            "base_fleet": base_fleet,
            "usage_fleet_response": usage,
            "subsidy_fleet_response": subsidy_response,
            "vehicle_cost": vehicle_cost,
            "operating_cost": operating_cost,
            "parking_cost": parking_cost,
            "grid_service_revenue": grid_revenue,
            "trips_per_car": trips_per_car,
        }
    )
    _check_against_grid_and_best_response(params, synthetic_trips(70, 4))


@pytest.mark.slow
@settings(max_examples=12)  # each example runs the full operator sweep where eq. (11) binds
@given(
    base_fleet=st.integers(1, 6),
    subsidy_response=st.floats(1.0, 20.0),
    operating_cost=st.floats(5, 40),
    seed=st.integers(0, 50),
)
def test_exact_upper_level_dominates_a_grid_where_the_fleet_in_use_limit_binds(
    base_fleet, subsidy_response, operating_cost, seed
):
    params = SMALL.with_overrides(
        {"base_fleet": base_fleet, "subsidy_fleet_response": subsidy_response, "operating_cost": operating_cost}
    )
    _check_against_grid_and_best_response(params, synthetic_trips(80, seed))


def _check_against_grid_and_best_response(params, trips):
    """No grid point beats the exact U_G, and its figures are the operator's best response (a full sweep)."""
    table = ResponseTable(OperatorProblem(params, trips))
    grid = _grid_values(params, trips, table, points=(11, 7))
    try:
        found = government_optimum(OperatorProblem(params, trips), table=table, step=0.1, refine=0.05)
    except DataError:
        assert grid.size == 0  # no subsidies let the operator break even: no grid point may either
        return
    outcome = found.outcome
    if grid.size:
        assert grid.max() <= outcome.government + 1e-6 * max(1.0, abs(outcome.government))
    _check_best_response(params, trips, found)


def _check_best_response(params, trips, found):
    """The reported figures are those of the operator's best response at (or a hair above) the subsidies."""
    outcome = found.outcome
    first, second = outcome.vehicle_subsidy, outcome.infrastructure_subsidy
    if found.supremum:
        if first + 1e-7 <= params.vehicle_subsidy_max:
            first += 1e-7
        else:
            second += 1e-7
    problem, subsidies = OperatorProblem(params, trips), Subsidies(first, second)
    there = outcome_at(problem, best_response(problem, subsidies), subsidies)
    assert there.trips == outcome.trips
    # the same response, so U_G differs by the outlay alone
    assert there.government - outcome.government == pytest.approx(
        outcome.subsidy_outlay - there.subsidy_outlay, abs=1e-6 * max(1.0, abs(outcome.government))
    )


def test_responses_are_among_the_candidate_counts():
    table = ResponseTable(OperatorProblem(ATTAINED, TRIPS))
    candidates = set(RegionSearch(table.problem, table).candidates())
    rng = np.random.default_rng(1)
    for first, second in zip(rng.uniform(0, 0.5, 40), rng.uniform(0, 0.3, 40)):
        assert table.respond(Subsidies(first, second)).trips in candidates


@pytest.mark.parametrize(("base_fleet", "seed"), [(6, 3), (3, 0)])
def test_exact_upper_level_stays_exact_where_the_fleet_in_use_limit_binds(base_fleet, seed):
    params = SMALL.with_overrides({"base_fleet": base_fleet})
    trips = synthetic_trips(100, seed)
    table = ResponseTable(OperatorProblem(params, trips))
    search = RegionSearch(table.problem, table)
    found = search.run(progress=False)
    assert found.sweeps == search.limited.fetches >= 1  # eq. (11) removed envelope responses: longer lists needed
    outcome = found.outcome
    assert outcome.vehicles_in_use <= params.in_use_share * outcome.fleet
    first, second = outcome.vehicle_subsidy, outcome.infrastructure_subsidy
    if found.supremum:
        first += 1e-9
    problem, subsidies = OperatorProblem(params, trips), Subsidies(first, second)
    direct = best_response(problem, subsidies)  # the full sweep at those subsidies
    assert direct.trips == outcome.trips
    assert outcome_at(problem, direct, subsidies).government == pytest.approx(outcome.government, rel=1e-9)
    assert _grid_values(params, trips, table, points=(11, 7)).max() <= outcome.government + 1e-6


def _round_budget(search, found):
    """Rounds the exact upper level may take to settle its strips (see ``RegionSearch._strip_corners``).

    Each pass looks at every strip and ends it with one round. A round that sets counts aside is followed
    by one that walks or by the last: the counts it left are worth no more than they need. A walking round
    walks a chunk of at least one count, doubling its walked cells (+ 8) until its list of L cells runs out:
    at most 1 + log2(1 + L / 8) chunks a count and pass.
    """
    passes = found.sweeps + 1
    counts = search.counts[search.candidates()]
    chunks = sum(1 + math.log2(1 + len(search.limited.cells[count]) / 8) for count in counts.tolist())
    return 2 * passes * (len(search.plane.strips(counts)) + chunks)


def test_exact_upper_level_returns_on_the_instance_of_issue_11():
    # `evgames solve subsidy-pricing --trips 300 --param base_fleet=3 --seed 1`: the loop once never returned
    params = SubsidyPricingParams(base_fleet=3)
    trips = synthetic_trips(300, 1, params)
    table = ResponseTable(OperatorProblem(params, trips))
    search = RegionSearch(table.problem, table)
    found = search.run(progress=False)
    assert 0 < found.rounds <= _round_budget(search, found)
    assert found.outcome.vehicles_in_use <= params.in_use_share * found.outcome.fleet < found.outcome.trips
    _check_best_response(params, trips, found)  # the full sweep at the subsidies: the same response


@pytest.mark.slow
@settings(max_examples=50, deadline=None)
# instances on which the loop once never returned: the envelope crossed U_O = 0 inside a strip
@example(trips=30, seed=214, base_fleet=2, subsidy_response=10, operating_cost=140, vehicle_cost=50000)
@example(trips=59, seed=565, base_fleet=2, subsidy_response=3, operating_cost=60, vehicle_cost=134800)
@example(trips=58, seed=991, base_fleet=3, subsidy_response=17, operating_cost=140, vehicle_cost=100000)
@given(
    trips=st.integers(20, 60),
    seed=st.integers(0, 999),
    base_fleet=st.integers(1, 4),
    subsidy_response=st.floats(1.0, 40.0),
    operating_cost=st.floats(20, 200),
    vehicle_cost=st.floats(40000, 135000),
)
def test_exact_upper_level_work_is_bounded_where_the_fleet_in_use_limit_binds(
    trips, seed, base_fleet, subsidy_response, operating_cost, vehicle_cost
):
    params = SubsidyPricingParams().with_overrides(
        {
            "base_fleet": base_fleet,
            "subsidy_fleet_response": subsidy_response,
            "operating_cost": operating_cost,
            "vehicle_cost": vehicle_cost,
        }
    )
    trips = synthetic_trips(trips, seed, params)
    table = ResponseTable(OperatorProblem(params, trips))
    search = RegionSearch(table.problem, table)
    assume(not search.limited.unlimited.all())  # eq. (11) takes some count's best cell away
    grid = _grid_values(params, trips, table, points=(6, 4))
    try:
        found = search.run(progress=False)
    except DataError:
        assert grid.size == 0  # no subsidies let the operator break even: no grid point may either
        return
    assert found.rounds <= _round_budget(search, found)
    if grid.size:
        assert grid.max() <= found.outcome.government + 1e-6 * max(1.0, abs(found.outcome.government))
    _check_best_response(params, trips, found)


def test_needed_revenue_is_the_least_over_the_strip_where_the_envelope_crosses_zero():
    """The revenue a count needs, against a dense scan of ρ: max(envelope, 0) kinks where U_O = 0 (eq. (12))."""
    params = SubsidyPricingParams(base_fleet=3)
    trips = synthetic_trips(300, 1, params)
    table = ResponseTable(OperatorProblem(params, trips))
    search = RegionSearch(table.problem, table)
    counts, margin, plane = search.counts, search.margin, search.plane
    strips = plane.strips(counts)
    lowest, _ = plane.rho_bounds(strips)
    _, dearest = plane.rho_bounds(np.r_[strips[1:], plane.sigma_max])
    rng = np.random.default_rng(0)
    crossings = 0
    for index in rng.choice(len(strips), 40, replace=False):
        strip = Strip(float(strips[index]), float(lowest[index]), float(dearest[index]), None)
        fleets = plane.fleets(strip.sigma, counts)
        known = np.where(rng.random(counts.size) < 0.2, search.table.best[counts], -np.inf)
        needed = needed_revenue(known, fleets, margin, strip.lowest, strip.dearest)
        rho = np.linspace(strip.lowest, strip.dearest, 20001)
        usable = np.isfinite(known)
        envelope = np.maximum((known[usable, None] + fleets[usable, None] * (margin + rho)).max(axis=0), 0.0)
        dense = (envelope - fleets[:, None] * (margin + rho)).min(axis=1)  # at least the least value
        slack = fleets.max() * (rho[1] - rho[0]) + 1e-8 * np.abs(dense)
        assert (needed <= dense).all() and (needed >= dense - slack).all()
        crossings += bool(envelope[0] == 0 < envelope[-1])
    assert crossings  # the envelope crosses U_O = 0 inside some strips


def test_no_break_even_anywhere_is_an_error_naming_the_subsidies():
    with pytest.raises(DataError, match="break even"):
        government_optimum(OperatorProblem(SubsidyPricingParams(), synthetic_trips(150, 3)))


def test_unknown_upper_method_is_refused():
    with pytest.raises(ValueError, match="exact"):
        government_optimum(OperatorProblem(ATTAINED, TRIPS), method="bisection")


def test_outcome_uses_the_responses_own_trips():
    problem, subsidies = OperatorProblem(SMALL, synthetic_trips(100, 3)), Subsidies(0.1, 0.1)
    response = best_response(problem, subsidies)
    outcome = outcome_at(problem, response, subsidies)
    assert outcome.trips == response.trips and outcome.operator == pytest.approx(response.operator)


def test_a_table_is_shared_when_only_fleet_and_cost_parameters_change():
    table = ResponseTable(OperatorProblem(ATTAINED, TRIPS))
    cheaper = ATTAINED.with_overrides({"operating_cost": 40, "usage_fleet_response": 0.12})
    shared = table.with_params(cheaper)
    assert shared.best is table.best and shared.problem.params is cheaper
    rebuilt = ResponseTable(OperatorProblem(cheaper, TRIPS))
    assert np.array_equal(rebuilt.best, shared.best)
    dearer_cars = table.with_params(ATTAINED.with_overrides({"private_cost_per_km": 3.0}))
    assert dearer_cars.best is not table.best
    assert np.array_equal(dearer_cars.best, ResponseTable(OperatorProblem(dearer_cars.problem.params, TRIPS)).best)


def test_grid_skips_subsidies_at_which_the_operator_cannot_operate():
    params = ATTAINED.with_overrides({"base_fleet": 20, "vehicle_cost": 134800, "operating_cost": 20})
    # the operator breaks even only when subsidised
    table = ResponseTable(OperatorProblem(params, TRIPS))
    with pytest.raises(DataError):
        table.respond(Subsidies(0.0, 0.0))
    grid = government_optimum(OperatorProblem(params, TRIPS), "grid", step=0.05, refine=0.01, table=table)
    exact = government_optimum(OperatorProblem(params, TRIPS), table=table)
    assert grid.outcome.operator > 0 and grid.outcome.government <= exact.outcome.government + 1e-6
    with pytest.raises(ValueError, match="other trips"):
        government_optimum(OperatorProblem(params, TRIPS.iloc[:50]), table=table)
