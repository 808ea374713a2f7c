"""A seeded 24-hour EV charging-load profile with seed 002's valley/medium/peak structure.

Seed 002's load curve exists only in its Figure 3. This profile follows its tariff periods (Table 3):
a night valley (23–7 h) where charging is cheap and loads are high, evening and midday medium periods,
and peaks at 7–11 h and 14–18 h; hourly loads (MW) are a smooth base of 20 MW scaled per period
(valley 1.3, medium 1.0, peak 0.8) with ±5 % seeded noise.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MEDIUM_HOURS", "PEAK_HOURS", "VALLEY_HOURS", "synthetic_load"]

VALLEY_HOURS = [23, 0, 1, 2, 3, 4, 5, 6]
MEDIUM_HOURS = [11, 12, 13, 18, 19, 20, 21, 22]
PEAK_HOURS = [7, 8, 9, 10, 14, 15, 16, 17]


def synthetic_load(seed: int = 0, base: float = 20.0) -> list[float]:
    """24 hourly loads in MW (see the module docstring)."""
    rng = np.random.default_rng(seed)
    scale = np.ones(24)
    scale[VALLEY_HOURS] = 1.3
    scale[PEAK_HOURS] = 0.8
    return [round(float(value), 3) for value in base * scale * rng.uniform(0.95, 1.05, 24)]
