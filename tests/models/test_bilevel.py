import numpy as np
import pytest

from evgames.data.subsidy_pricing import SubsidyPricingParams, synthetic_trips
from evgames.models import bilevel
from evgames.models import operator_response as orp

SMALL = SubsidyPricingParams(
    base_fleet=6, subsidy_fleet_response=1, operating_cost=20, vehicle_cost=30000, parking_cost=500
)


def test_government_optimum_beats_sampled_subsidies_and_the_operator_responds_optimally():
    trips = synthetic_trips(100, 3)
    table = orp.ResponseTable(SMALL, trips)
    found = bilevel.government_optimum(SMALL, trips, step=0.05, refine=0.01, table=table)
    rng = np.random.default_rng(0)
    for first, second in zip(rng.uniform(0, 0.5, 15), rng.uniform(0, 0.3, 15)):
        response = orp.exact_best_response(SMALL, trips, first, second)
        other = bilevel.outcome_at(SMALL, trips, response, first, second)
        assert found.outcome.government >= other.government - 1e-6
    direct = orp.exact_best_response(SMALL, trips, found.outcome.vehicle_subsidy, found.outcome.infrastructure_subsidy)
    assert found.outcome.operator == pytest.approx(direct.operator, rel=1e-9)  # the lower level is a best response


def test_outcome_uses_the_responses_own_trips():
    trips = synthetic_trips(100, 3)
    response = orp.exact_best_response(SMALL, trips, 0.1, 0.1)
    outcome = bilevel.outcome_at(SMALL, trips, response, 0.1, 0.1)
    assert outcome.trips == response.trips and outcome.operator == pytest.approx(response.operator)
