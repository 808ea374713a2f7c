"""Seeded synthetic inputs, documented so that a run can be reproduced and reasoned about.

``synthetic_city`` — a city of charging/energy stations over 24 hourly periods:

* stations sit uniformly at random in a 10 km × 10 km square; capacity η ~ U{30, …, 60} vehicles/h,
  operating cost C ~ U(300, 700) per day, profit p ~ U(25, 35) per vehicle;
* hourly demand = base + morning peak + evening peak: base ~ U(0.2, 0.5)·η, and two Gaussian bumps
  centred at 8.5 h and 18.5 h (σ = 1.2 h) whose heights are drawn per station from U(0, 1.1)·η, so
  some stations overflow at the peaks while others stay idle; arrivals are Poisson with that mean;
* diversion between any two stations pays compensation f = 5 and travel cost 0.5 per km of
  straight-line distance; the shared platform costs Q = 130 per day.
"""

from __future__ import annotations

import numpy as np

from evgames.data.station_alliance import StationAllianceData

__all__ = ["synthetic_city"]


def synthetic_city(stations: int = 10, periods: int = 24, seed: int = 0) -> StationAllianceData:
    """A seeded city of ``stations`` stations over ``periods`` hourly periods (see the module docstring)."""
    rng = np.random.default_rng(seed)
    position = rng.uniform(0, 10, size=(stations, 2))
    capacity = rng.integers(30, 61, size=stations)
    hours = np.arange(periods) + 0.5
    records = []
    for i in range(stations):
        base = rng.uniform(0.2, 0.5) * capacity[i]
        morning, evening = rng.uniform(0, 1.1, size=2) * capacity[i]
        mean = (
            base
            + morning * np.exp(-0.5 * ((hours - 8.5) / 1.2) ** 2)
            + evening * np.exp(-0.5 * ((hours - 18.5) / 1.2) ** 2)
        )
        records.append(
            {
                "name": f"S{i + 1}",
                "capacity": int(capacity[i]),
                "operating_cost": round(float(rng.uniform(300, 700)), 2),
                "profit_per_vehicle": round(float(rng.uniform(25, 35)), 2),
                "arrivals": [int(a) for a in rng.poisson(mean)],
            }
        )
    distance = np.linalg.norm(position[:, None, :] - position[None, :, :], axis=2)
    diversion = [
        {"from": f"S{i + 1}", "to": f"S{k + 1}", "travel_cost": round(0.5 * float(distance[i, k]), 2)}
        for i in range(stations)
        for k in range(stations)
        if i != k
    ]
    return StationAllianceData.from_dict(
        {
            "period_hours": 1,
            "platform_cost": 130,
            "compensation": 5,
            "stations": records,
            "diversion": diversion,
        }
    )
