"""Hypothesis strategies for random model instances."""

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st


@st.composite
def bargaining_records(draw, min_players=2, max_players=8):
    n = draw(st.integers(min_players, max_players))
    raw_powers = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
    powers = np.array(raw_powers) / sum(raw_powers)
    costs = draw(st.lists(st.floats(0.0, 200.0), min_size=n, max_size=n))
    standalone = draw(st.lists(st.floats(1.0, 300.0), min_size=n, max_size=n))
    surplus = draw(st.floats(5.0, 2000.0))
    negotiation_cost = draw(st.floats(0.0, 200.0))
    total = sum(costs) + sum(standalone) + surplus + negotiation_cost
    return {
        "total_benefit": total,
        "negotiation_cost": negotiation_cost,
        "normalise_powers": True,
        "players": [
            {"name": f"P{i}", "cost": costs[i], "standalone": standalone[i], "power": float(powers[i])}
            for i in range(n)
        ],
    }


@st.composite
def satisfaction_records(draw, min_players=2, max_players=6):
    """Random proposals (rows on the simplex, shares kept inside (0, 1)) and positive powers."""
    n = draw(st.integers(min_players, max_players))
    names = [f"P{i}" for i in range(n)]
    players = []
    raw_powers = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
    for j in range(n):
        weights = np.array(draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n)))
        shares = weights / weights.sum()
        players.append(
            {
                "name": names[j],
                "power": raw_powers[j],
                "proposal": dict(zip(names, map(float, shares))),
            }
        )
    matrix = np.array([[p["proposal"][name] for name in names] for p in players])
    assume(np.ptp(matrix, axis=0).sum() > 0.01)  # some disagreement, else there is nothing to bargain over
    return {"players": players, "normalise_powers": True}


#: Seed 000's §3 bargaining case with short player names (k = 100, V = 1000), shared by several tests.
SEED000_BARGAINING = {
    "total_benefit": 1000,
    "negotiation_cost": 100,
    "players": [
        {"name": "car", "cost": 100, "standalone": 180, "power": 0.32},
        {"name": "facility", "cost": 80, "standalone": 130, "power": 0.25},
        {"name": "operator", "cost": 120, "standalone": 200, "power": 0.43},
    ],
}


def small_operator():
    """Seed 003's parameters for a small operator (few vehicles, low costs): a few dozen trips can be profitable."""
    from evgames.data.subsidy_pricing import SubsidyPricingParams

    return SubsidyPricingParams(
        base_fleet=6, subsidy_fleet_response=1, operating_cost=20, vehicle_cost=30000, parking_cost=500
    )
