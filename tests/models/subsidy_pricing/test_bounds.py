"""The shortcuts of the exact upper level where eq. (11) binds, against computations that take none of them.

Vehicles in use bounded at busy minutes (along a choice line and at a vertex), the envelope that skips lines
below a rival, strips settled once: each must leave the answer as a brute force or the MILP finds it.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import small_operator

from evgames.data.subsidy_pricing import Subsidies, synthetic_trips
from evgames.data.validation import DataError
from evgames.models.subsidy_pricing import (
    OperatorProblem,
    RegionSearch,
    ResponseTable,
    exact_best_response,
    milp_best_response,
    outcome_at,
    studies,
    vehicles_in_use,
)
from evgames.models.subsidy_pricing.arrangement import line_vertices
from evgames.models.subsidy_pricing.envelope import envelope
from evgames.models.subsidy_pricing.in_use_bound import BusyMinutes

SMALL = small_operator()


def _line_cells(vertices):
    """Per option (neither, own, crossing, both boundary trips): the vertices and boundary-trip columns."""
    size = vertices.crossing.size
    own, crossing, none = np.full(size, vertices.line), vertices.crossing, np.full(size, -1)
    return [(none, none), (own, none), (crossing, none), (own, crossing)]


@pytest.mark.parametrize("duplicate", [False, True])
def test_bounds_along_a_line_are_those_at_each_vertex_or_unknown_where_a_trip_passes_too_near(duplicate):
    trips, minutes = synthetic_trips(60, 7), np.arange(420, 1200, 7)
    if duplicate:  # two identical trips looked at: their choice lines coincide, and cross others at the same points
        original = OperatorProblem(SMALL, trips)
        looked_at = BusyMinutes(original, minutes, most=40).rows
        crossed = {vertices.line: vertices.crossing.size for vertices in line_vertices(original)}
        busiest = max(looked_at.tolist(), key=lambda trip: crossed.get(trip, 0))  # the most crossings in the box
        trips = pd.concat([trips, trips.iloc[[busiest]]], ignore_index=True)
    problem = OperatorProblem(SMALL, trips)
    busy = BusyMinutes(problem, minutes, most=40)
    unknown = 0
    for vertices in line_vertices(problem):
        along = busy.along(vertices)
        for option, (first, second) in enumerate(_line_cells(vertices)):
            boundary = np.column_stack([first, second])
            known = along[option] >= 0
            at_vertex = busy.lower(vertices.points, boundary)
            assert (along[option][known] == at_vertex[known]).all()
            unknown += int((~known).sum())
    assert (unknown > 0) == duplicate  # generic trips leave no vertex unknown; a duplicate does


@settings(max_examples=40, deadline=None)
@given(
    lines=st.integers(1, 60),
    seed=st.integers(0, 10_000),
    low=st.floats(0, 500),
    width=st.floats(0, 500),
)
def test_envelope_pieces_are_the_highest_line_everywhere_between_the_ends(lines, seed, low, width):
    rng = np.random.default_rng(seed)
    revenues = rng.normal(0, 1e5, lines).round(-2)  # rounded: ties and parallel lines happen
    fleets = rng.integers(1, 12, lines).astype(float)
    high = low + width
    pieces = envelope(revenues, fleets, -1000.0, low, high)
    for rho in np.linspace(low, high, 41):
        best = (revenues + fleets * (-1000.0 + rho)).max()  # every line, none skipped
        covering = [piece for piece in pieces if piece.start <= rho <= piece.end]
        assert covering, f"no piece covers rho = {rho}"
        for piece in covering:
            assert piece.intercept + piece.slope * rho == pytest.approx(best, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize(
    ("base_fleet", "subsidy_response", "seed"),
    [(1, 5, 0), pytest.param(2, 5, 1, marks=pytest.mark.slow), pytest.param(3, 10, 0, marks=pytest.mark.slow)],
)
def test_exact_upper_level_with_bounded_cells_matches_an_independent_grid_and_the_milp(
    base_fleet, subsidy_response, seed
):
    params = SMALL.with_overrides({"base_fleet": base_fleet, "subsidy_fleet_response": subsidy_response})
    trips = synthetic_trips(60, seed)
    problem = OperatorProblem(params, trips)
    table = ResponseTable(problem)
    search = RegionSearch(problem, table)
    found = search.run(progress=False)
    assert search.limited.counted < search.limited.walked  # cells bounded, not counted: the shortcut ran
    outcome = found.outcome
    # the operator's response at the subsidies found, by the MILP and by the widening sweep (no table, no bounds)
    subsidies = outcome.subsidies
    milp = milp_best_response(problem, subsidies)
    assert milp.operator == pytest.approx(outcome.operator, rel=1e-6)
    sweep = exact_best_response(problem, subsidies)
    assert sweep.trips == outcome.trips
    assert vehicles_in_use(trips, sweep.chosen) <= params.in_use_share * outcome.fleet
    assert outcome_at(problem, sweep, subsidies).government == pytest.approx(outcome.government, rel=1e-9)
    # no subsidies on a grid do better against the widening sweep's response
    for first in np.linspace(0, params.vehicle_subsidy_max, 6):
        for second in np.linspace(0, params.infrastructure_subsidy_max, 4):
            at = Subsidies(float(first), float(second))
            try:
                response = exact_best_response(problem, at)
            except DataError:  # the operator cannot break even there
                continue
            assert outcome_at(problem, response, at).government <= outcome.government + 1e-6


def test_a_sweep_given_the_table_equals_one_that_builds_its_own():
    problem = OperatorProblem(SMALL, synthetic_trips(50, 2))
    given_table = studies.sweep(problem, points=2, step=0.1, refine=0.05, table=ResponseTable(problem))
    own = studies.sweep(problem, points=2, step=0.1, refine=0.05)
    pd.testing.assert_frame_equal(given_table, own)
    assert given_table.attrs["slowest"]["parameter"] in studies.SWEPT
