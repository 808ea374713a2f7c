"""Trips whose choice lines coincide (duplicated trips, or lines nudged by far less than the vertex margin).

Every trip on a line through a vertex must be counted as the vertex test of ``vertex_trips`` counts it, so
the cells met along the lines carry the trip sets their values and counts claim. Lines within the vertex
margin of each other are one line (``OperatorProblem.twins``): their trips share or not together, so the
brute force skips the slivers (narrower than the margin) between nudged copies, and the MILP keeps twins
together (its own margin is within the solver's tolerances, so it could split them otherwise).
"""

import numpy as np
import pandas as pd
import pytest
from strategies import small_operator

from evgames.data import DataError
from evgames.data.subsidy_pricing import synthetic_trips
from evgames.models.subsidy_pricing import (
    OperatorProblem,
    ResponseTable,
    Subsidies,
    best_response,
    government_optimum,
    outcome_at,
    vehicles_in_use,
)
from evgames.models.subsidy_pricing.arrangement import line_vertices, vertex_trips
from evgames.models.subsidy_pricing.economics import in_use_limit

SUBSIDIES = [Subsidies(0.0, 0.0), Subsidies(0.1, 0.1), Subsidies(0.25, 0.15), Subsidies(0.5, 0.3)]


def with_copies(count, seed, nudge=0.0):
    """``count`` synthetic trips and a copy of every third one (its value of time scaled by 1 + ``nudge``)."""
    trips = synthetic_trips(count, seed)
    copies = trips.iloc[::3].copy()
    copies["value_of_time"] = copies["value_of_time"] * (1 + nudge)
    return pd.concat([trips, copies], ignore_index=True)


def splits_twins(problem, chosen):
    """Does ``chosen`` take some but not all trips of a group of coinciding lines?"""
    twins = problem.twins
    taken = np.zeros(len(chosen), dtype=int)
    np.add.at(taken, twins, np.asarray(chosen, dtype=int))
    return bool(((taken > 0) & (taken < np.bincount(twins, minlength=len(chosen)))).any())


def brute_force(problem, subsidies):
    """The best U_O over the cells around every vertex, each found by prices a hair away from the vertex."""
    params = problem.params
    a, b = problem.per_trip, problem.threshold
    upper = np.array([params.price_per_km_max, params.price_per_min_max])
    vertices = [np.array([x, y]) for x in (0.0, upper[0]) for y in (0.0, upper[1])]
    for i in range(len(b)):
        for j in range(i + 1, len(b)):
            pair = np.array([a[i], a[j]])
            if abs(np.linalg.det(pair)) > 1e-12:
                vertices.append(np.linalg.solve(pair, [b[i], b[j]]))
        for k in range(2):
            for edge in (0.0, upper[k]):
                if abs(a[i][1 - k]) > 1e-15:
                    point = np.zeros(2)
                    point[k], point[1 - k] = edge, (b[i] - a[i][k] * edge) / a[i][1 - k]
                    vertices.append(point)
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    best = -np.inf
    for vertex in vertices:
        if np.any(vertex < -1e-12) or np.any(vertex > upper + 1e-12):
            continue
        radius = 1e-7 * max(1.0, np.abs(vertex).max())
        for sample in np.clip(vertex + radius * np.c_[np.cos(angles), np.sin(angles)], 0, upper):
            chosen = problem.shares(sample)
            if splits_twins(problem, chosen):
                continue  # a sliver between nudged copies: one line to the model
            fleet = problem.fleet(subsidies, int(chosen.sum()))
            if problem.in_use.peaks(chosen) > in_use_limit(params, fleet):
                continue
            value = problem.value(chosen, vertex, subsidies)
            if value > 0:
                best = max(best, value)
    return best


@pytest.mark.parametrize("nudge", [0.0, 1e-13])
def test_cells_along_the_lines_count_the_trips_the_vertex_test_finds(nudge):
    problem = OperatorProblem(small_operator(), with_copies(20, 0, nudge))
    assert problem.twins is not None
    for vertices in line_vertices(problem):
        size = vertices.crossing.size
        none = np.full(size, -1)
        own = np.full(size, vertices.line)
        for option, boundary in enumerate(
            [(none, none), (own, none), (vertices.crossing, none), (own, vertices.crossing)]
        ):
            found = vertex_trips(problem, vertices.points, np.column_stack(boundary))
            np.testing.assert_array_equal(found.sum(axis=0), vertices.counts[option])
            revenue = problem.params.days * (problem.trip_revenue(vertices.points) * found).sum(axis=0)
            np.testing.assert_allclose(vertices.values[option], revenue, rtol=1e-9, atol=1e-6)


def test_no_twins_without_coinciding_lines():
    assert OperatorProblem(small_operator(), synthetic_trips(60, 2)).twins is None


@pytest.mark.parametrize("nudge", [0.0, 1e-13])
@pytest.mark.parametrize(
    ("count", "seed", "base_fleet", "response"), [(18, 4, 1, 1.2), (21, 3, 1, 1.2), (24, 9, 2, 5.0), (21, 5, 4, 4.3)]
)
def test_exact_equals_milp_and_brute_force_with_duplicated_trips(nudge, count, seed, base_fleet, response):
    params = small_operator().with_overrides({"base_fleet": base_fleet, "subsidy_fleet_response": response})
    problem = OperatorProblem(params, with_copies(count, seed, nudge))
    table = ResponseTable(problem)
    for subsidies in SUBSIDIES:
        brute = brute_force(problem, subsidies)
        try:
            exact = best_response(problem, subsidies)
        except DataError:
            assert brute == -np.inf
            with pytest.raises(DataError, match="no feasible price pair"):
                table.respond(subsidies)
            continue
        assert exact.operator == pytest.approx(brute, rel=1e-6)
        milp = best_response(problem, subsidies, "milp")
        assert not splits_twins(problem, milp.chosen)
        assert exact.operator == pytest.approx(milp.operator, rel=1e-6)
        answered = table.respond(subsidies)
        assert answered.trips == exact.trips
        assert answered.operator == pytest.approx(exact.operator, rel=1e-9)
        assert vehicles_in_use(problem.trips, exact.chosen) <= params.in_use_share * exact.fleet


@pytest.mark.slow
@pytest.mark.parametrize("nudge", [0.0, 1e-13])
@pytest.mark.parametrize(("count", "seed", "base_fleet", "response"), [(21, 3, 1, 1.2), (27, 8, 2, 10.7)])
def test_government_optimum_with_duplicated_trips(nudge, count, seed, base_fleet, response):
    params = small_operator().with_overrides({"base_fleet": base_fleet, "subsidy_fleet_response": response})
    problem = OperatorProblem(params, with_copies(count, seed, nudge))
    try:
        found = government_optimum(problem)  # raised "an envelope response failed its checks" before
    except DataError:
        for subsidies in SUBSIDIES:
            with pytest.raises(DataError, match="no feasible price pair"):
                best_response(problem, subsidies)
        return
    outcome = found.outcome
    for subsidies in SUBSIDIES:  # no subsidies on a grid do better for the government
        try:
            response = best_response(problem, subsidies)
        except DataError:
            continue
        assert outcome_at(problem, response, subsidies).government <= outcome.government * (1 + 1e-6) + 1e-6
    if not found.supremum:
        subsidies = Subsidies(outcome.vehicle_subsidy, outcome.infrastructure_subsidy)
        assert best_response(problem, subsidies).operator == pytest.approx(outcome.operator, rel=1e-6)
