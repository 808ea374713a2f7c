"""Time-of-use demand response (seed 002 §2-3): solve the platform-user game, raise the peak price, PSO tariff.

Run ``python examples/demand_response.py``. The example checks the no-measure margin and the load after a
price change against eq. (15) worked out here with numpy, the two-player Shapley value against its formula,
and the particle swarm's tariff (from ``examples/pso.toml``) against the NLP's closed-form optimum.
"""

import math
from pathlib import Path
from typing import Any

import numpy as np

from evgames import SolverConfig
from evgames.data.demand_response import CATEGORIES, DemandResponseData
from evgames.data.synthetic_load import synthetic_load
from evgames.models import demand_response

HERE = Path(__file__).resolve().parent
HOURS = {
    "valley": [23, 0, 1, 2, 3, 4, 5, 6],
    "medium": [11, 12, 13, 18, 19, 20, 21, 22],
    "peak": [7, 8, 9, 10, 14, 15, 16, 17],
}
PRICE = {"valley": 0.30, "medium": 0.575, "peak": 0.85}  # yuan/kWh (Table 3)
COST = {"valley": 0.20, "medium": 0.35, "peak": 0.55}  # what the platform pays, yuan/kWh

record: dict[str, Any] = {
    "load": synthetic_load(seed=0),  # MW in each hour, shaped by seed 002's tariff periods
    "tariff": {c: {"price": PRICE[c], "hours": HOURS[c]} for c in CATEGORIES},
    "purchase_cost": COST,
    "elasticity": {  # row: load category, column: price category (Table 4)
        "peak": {"peak": -0.262, "medium": 0.1334, "valley": 0.1065},
        "medium": {"peak": 0.2685, "medium": -0.116, "valley": 0.0923},
        "valley": {"peak": 0.7894, "medium": 0.115, "valley": -0.0221},
    },
    "price_change": {"valley": -0.01, "medium": -0.019, "peak": 0.003},  # yuan/kWh (Table 6)
    "incentive": {
        "tiers": [
            {"lower": 0, "upper": 1.5, "price": 0.03},
            {"lower": 1.5, "upper": 3, "price": 0.06},
            {"lower": 3, "upper": 4.5, "price": 0.12},
            {"lower": 4.5, "upper": 6, "price": 0.18},
        ],
        "reduction_limit": [6 if hour in HOURS["peak"] else 0 for hour in range(24)],  # MW, peak hours only
        "value": {"valley": 0.0, "medium": 0.3, "peak": 0.6},
    },
}
data = DemandResponseData.from_dict(record)
load = np.array(record["load"])


def load_after(change: dict[str, float]) -> float:
    """Eq. (15) by hand: category c's load changes by Q_c Σ_j E_cj ΔP_j / P_j; returns the day's total (MWh)."""
    total = load.sum()
    for row in CATEGORIES:
        demand = load[HOURS[row]].sum()
        total += demand * sum(record["elasticity"][row][col] * change[col] / PRICE[col] for col in CATEGORIES)
    return float(total)


# 1. Solve: the four cooperation cases (none, price, incentive, both; the incentive is a MILP on HiGHS),
#    the platform-user game and its allocations, in 10,000 yuan per day.
solution = demand_response.solve(data)
print(solution.allocation.round(4))
margin = sum((PRICE[c] - COST[c]) * load[HOURS[c]].sum() for c in CATEGORIES) * 0.1  # MWh x yuan/kWh -> 10^4 yuan
assert math.isclose(solution.cases["none"].platform, margin, rel_tol=1e-12)
game = solution.game
alone = {player: game.value([player]) for player in ("platform", "user")}
surplus = game.grand_value - sum(alone.values())
for player, share in solution.allocation["shapley"].items():
    assert math.isclose(share, alone[player] + surplus / 2, rel_tol=1e-9), player  # two players split evenly

# 2. Change a parameter: the peak price rises by 0.02 instead of 0.003 yuan/kWh. Less is charged at the peak;
#    the cross-elasticities move more than that into the cheaper periods (the day's total rises).
record["price_change"] = {**record["price_change"], "peak": 0.02}
dearer = demand_response.solve(DemandResponseData.from_dict(record), case="price")
assert math.isclose(dearer.benefits.load.sum(), load_after(record["price_change"]), rel_tol=1e-12)
assert dearer.benefits.load[HOURS["peak"]].sum() < solution.cases["price"].load[HOURS["peak"]].sum()
print(f"peak +0.02: the day's load {load.sum():.2f} -> {dearer.benefits.load.sum():.2f} MWh")

# 3. Swap the solver from a TOML file: the particle swarm designs the tariff (the NLP Ipopt solves by default)
#    and comes within its tolerance of the closed-form optimum found face by face.
change, result = demand_response.tariff_design(data, SolverConfig.from_file(HERE / "pso.toml"))
best = demand_response.tariff_optimum(data)
print(f"{result.route}: {result.status}; ΔP = {change.round(4).to_dict()}")
print(f"   closed form: ΔP = {best.change.round(4).to_dict()}")
assert math.isclose(result.objective, best.margin, rel_tol=1e-3), (result.objective, best.margin)

# 4. Verify: Ipopt's tariff against the closed form, the incentive MILP against enumeration.
table = demand_response.verify(data)
print(f"verdicts: {table.counts()}")
assert table.passed, table.failures
print("demand-response example: all checks passed")
