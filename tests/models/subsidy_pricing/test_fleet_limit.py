"""The best cell of each trip count under a fleet-in-use limit, against brute force over a price grid."""

import numpy as np
import pytest

from evgames.data.subsidy_pricing import SubsidyPricingParams, synthetic_trips
from evgames.models.subsidy_pricing import (
    FleetLimitedCells,
    OperatorProblem,
    ResponseTable,
    choice_thresholds,
    vehicles_in_use,
)
from evgames.models.subsidy_pricing.arrangement import boundary_columns, cell_trips, cells_trips
from evgames.models.subsidy_pricing.in_use_bound import BusyMinutes
from evgames.models.subsidy_pricing.shortlist import top_cells

PARAMS = SubsidyPricingParams(base_fleet=3)
TRIPS = synthetic_trips(40, 5)


def revenue(params, trips, chosen, point):
    """D Σ (s p_s + t p_t − e) over the sharing trips, from the model's definition (eq. (10))."""
    distance, duration = trips["distance_km"].to_numpy(), trips["duration_min"].to_numpy()
    energy = distance * params.ev_energy_per_100km * params.electricity_price / 100
    return params.days * ((distance * point[0] + duration * point[1] - energy) * chosen).sum()


def sampled_cells(params, trips, steps=(161, 81)):
    """(trip count, revenue, vehicles in use) at every point of a price grid: cells' interior values."""
    a = np.column_stack([trips["distance_km"], trips["duration_min"]])
    b = choice_thresholds(params, trips)
    found = []
    for ps in np.linspace(0, params.price_per_km_max, steps[0]):
        for pt in np.linspace(0, params.price_per_min_max, steps[1]):
            chosen = a @ np.array([ps, pt]) < b
            found.append((int(chosen.sum()), revenue(params, trips, chosen, (ps, pt)), vehicles_in_use(trips, chosen)))
    return np.array(found)


SAMPLES = sampled_cells(PARAMS, TRIPS)


def test_listed_cells_hold_every_sampled_cell_and_a_floor_cuts_them():
    table = ResponseTable(OperatorProblem(PARAMS, TRIPS))
    counts = [int(count) for count in np.unique(SAMPLES[:, 0])]
    every = top_cells(table.problem, dict.fromkeys(counts, -np.inf))
    for count in counts:
        cells, bound = every[count]
        values = [cell.revenue for cell in cells]
        assert bound == -np.inf and values == sorted(values, reverse=True)
        assert values[0] == pytest.approx(table.best[count])
        assert values[0] >= SAMPLES[SAMPLES[:, 0] == count, 1].max() - 1e-6  # a cell's best is at a vertex
        assert (cells_trips(table.problem, cells).sum(axis=0) == count).all()
        for cell, point in zip(list(cells)[:5], [cell.point for cell in list(cells)[:5]]):
            chosen = table.chosen(count, cell)
            assert revenue(PARAMS, TRIPS, chosen, point) == pytest.approx(cell.revenue, rel=1e-9, abs=1e-6)
    floors = {count: float(np.median([cell.revenue for cell in every[count][0]])) for count in counts}
    cut = top_cells(table.problem, floors)
    for count in counts:
        kept = [cell.revenue for cell in every[count][0] if cell.revenue >= floors[count]]
        assert [cell.revenue for cell in cut[count][0]] == kept
        left_out = len(kept) < len(every[count][0])
        assert cut[count][1] == (floors[count] if left_out else -np.inf)


def test_a_depth_cuts_each_list_to_its_best_cells():
    table = ResponseTable(OperatorProblem(PARAMS, TRIPS))
    counts = [int(count) for count in np.flatnonzero(np.isfinite(table.best))]
    every = top_cells(table.problem, dict.fromkeys(counts, -np.inf))
    cut = top_cells(table.problem, dict.fromkeys(counts, -np.inf), dict.fromkeys(counts, 3))
    for count in counts:
        values = [cell.revenue for cell in every[count][0]]
        kept = [cell.revenue for cell in cut[count][0]]
        assert kept == [value for value in values if value >= values[min(2, len(values) - 1)]]
        assert cut[count][1] == (values[2] if len(kept) < len(values) else -np.inf)


@pytest.mark.parametrize(("limit", "first_depth"), [(0.95, 2048), (1.9, 2048), (2.0, 2), (2.85, 3)])
def test_best_cell_under_a_limit_is_exact_and_bounds_stay_above_it(limit, first_depth):
    table = ResponseTable(OperatorProblem(PARAMS, TRIPS))
    counts = np.flatnonzero(np.isfinite(table.best))
    limited = FleetLimitedCells(
        table.problem, table.cells(counts), np.full(counts.size, limit), first_depth=first_depth, growth=2
    )
    bounds, _, exact_before, _ = limited.best(np.full(counts.size, limit))
    while True:  # walk; where the lists run out, list more (short lists: several rounds, walked cells kept)
        limited.settle(dict.fromkeys(counts.tolist(), limit))
        values, entries, exact, walked_all = limited.best(np.full(counts.size, limit))
        if exact.all():
            break
        limited.fetch(dict.fromkeys(counts[~exact].tolist(), -np.inf))
    assert (limited.fetches > 2) == (first_depth < 10)
    for position, count in enumerate(counts.tolist()):
        assert bounds[position] >= values[position] - 1e-6  # before walking: an upper bound
        if exact_before[position]:
            assert bounds[position] == pytest.approx(values[position])
        fitting = SAMPLES[(SAMPLES[:, 0] == count) & (SAMPLES[:, 2] <= limit), 1]
        if entries[position] < 0:  # no cell with this count fits: nor does any sampled price
            assert values[position] == -np.inf and walked_all[position] and not fitting.size
            continue
        if fitting.size:
            assert values[position] >= fitting.max() - 1e-6
        cell = limited.cell(count, int(entries[position]))
        chosen = table.chosen(count, cell)
        assert chosen.sum() == count and vehicles_in_use(TRIPS, chosen) <= limit
        assert limited.vehicles(count, int(entries[position])) == vehicles_in_use(TRIPS, chosen)
        assert revenue(PARAMS, TRIPS, chosen, cell.point) == pytest.approx(values[position], rel=1e-9, abs=1e-6)
    assert not limited.unlimited.all()  # the limits bind somewhere: the test exercises the walk


def test_walking_lessens_the_cells_left_and_a_fetch_needs_a_floor_below_the_bound():
    table = ResponseTable(OperatorProblem(PARAMS, TRIPS))
    counts = np.flatnonzero(np.isfinite(table.best))
    limited = FleetLimitedCells(table.problem, table.cells(counts), np.full(counts.size, 0.95), first_depth=4, growth=2)
    assert not limited.unwalked().any()  # each count starts with its table cell, walked
    short = [int(count) for count in counts if not limited.unlimited[limited.position[int(count)]]]
    with pytest.raises(AssertionError, match="bound"):
        limited.fetch({short[0]: limited.bound[short[0]]})  # could list nothing new
    limited.fetch(dict.fromkeys(short, -np.inf))
    listed = limited.unwalked()
    assert listed.sum() > 0 and not listed[limited.unlimited].any()
    limited.settle(dict.fromkeys(short, 0.0), once=True)  # a limit no cell fits: one chunk each
    walked = limited.unwalked()
    assert (walked <= listed).all() and walked.sum() < listed.sum()


def _minute_counts(trips, chosen, minutes):
    """Shared trips under way at each given minute, trip by trip from start and duration (eq. (11))."""
    start = np.floor(trips["start_min"].to_numpy()).astype(int)
    length = np.ceil(trips["duration_min"].to_numpy()).astype(int).clip(1, 1440)
    return [
        sum(1 for n in np.flatnonzero(chosen) if any((start[n] + k) % 1440 == minute for k in range(length[n])))
        for minute in minutes
    ]


def test_busy_minutes_count_exactly_the_trips_under_way_then_and_never_exceed_the_vehicles_in_use():
    problem = OperatorProblem(PARAMS, TRIPS)
    every = top_cells(problem, dict.fromkeys(range(len(TRIPS) + 1), -np.inf))
    cells = [cell for count in sorted(every) for cell in list(every[count][0])[:6]]
    chosen = cells_trips(problem, cells)
    busy = BusyMinutes(problem, np.array([480, 481, 481, 1030, 1439]), most=3)
    assert 481 in busy.minutes and busy.minutes.size == 3  # the most frequent minute, and at most three
    lower = busy.lower(np.array([cell.point for cell in cells]), boundary_columns([cell.counted for cell in cells]))
    for column, bound in enumerate(lower.tolist()):
        assert bound == max(_minute_counts(TRIPS, chosen[:, column], busy.minutes.tolist()))
        assert bound <= vehicles_in_use(TRIPS, chosen[:, column])


def _first_fitting(problem, every, count, limit):
    """Brute force: the best listed cell with ``count`` trips whose vehicles in use (counted alone) fit the limit."""
    for cell in every[count][0]:
        if vehicles_in_use(problem.trips, cell_trips(problem, cell.point, cell.counted)) <= limit:
            return cell.revenue
    return -np.inf


@pytest.mark.parametrize("base_fleet", [3, 2])
def test_cells_bounded_at_busy_minutes_give_the_brute_force_answer_as_the_limits_rise(base_fleet):
    # the upper level asks limits that rise strip by strip: cells first walked under a low limit hold only a
    # bound, and must be counted exactly when a higher limit reaches them
    params = PARAMS.with_overrides({"base_fleet": base_fleet})
    table = ResponseTable(OperatorProblem(params, TRIPS))
    problem, counts = table.problem, np.flatnonzero(np.isfinite(table.best))
    every = top_cells(problem, dict.fromkeys(counts.tolist(), -np.inf))
    limited = FleetLimitedCells(problem, table.cells(counts), np.full(counts.size, 0.95), first_depth=4, growth=2)
    for limit in (0.95, 1.9, 2.85, 3.8, 4.75, 5.7):
        while True:
            limited.settle(dict.fromkeys(counts.tolist(), limit), once=True)
            values, entries, exact, walked_all = limited.best(np.full(counts.size, limit))
            if exact.all():
                break
            short = ~exact & walked_all
            if short.any():
                limited.fetch(dict.fromkeys(counts[short].tolist(), -np.inf))
        for position, count in enumerate(counts.tolist()):
            assert values[position] == _first_fitting(problem, every, count, limit)
            if entries[position] >= 0:
                assert limited.vehicles(count, int(entries[position])) <= limit
    assert limited.counted < limited.walked  # some cells were only bounded: the test exercises that path
    assert (limited.uncounted() >= 0).all()
