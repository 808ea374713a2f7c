"""Seed 003's subsidy/pricing game on a small town: solve both levels, cheaper vehicles, Ipopt from a TOML.

Run ``python examples/subsidy_pricing.py``. The government chooses subsidy rates (Sc1, Sc2), the operator its
prices (p_s per km, p_t per minute), each trip a shared EV or its own car. The example checks the exact
response against a brute-force grid of prices and a cost change against its closed form, and the smooth
variant solved by Ipopt (from ``examples/solver.toml``) as a lower bound of the exact one; ``verify`` then
runs the MILP oracle (HiGHS) and the swarm against the exact sweep.
"""

from pathlib import Path
from typing import Any

import numpy as np

from evgames import SolverConfig
from evgames.data.subsidy_pricing import Subsidies, SubsidyPricingData
from evgames.models import subsidy_pricing
from evgames.models.subsidy_pricing import OperatorProblem, evaluate

HERE = Path(__file__).resolve().parent

# 150 seeded synthetic trips in a town where the subsidies move the operator (Table 1 for the rest).
record: dict[str, Any] = {
    "params": {
        "base_fleet": 10,  # vehicles
        "usage_fleet_response": 0.1,  # vehicles per daily shared trip
        "subsidy_fleet_response": 5,  # vehicles
        "operating_cost": 60,  # CNY per vehicle and day
        "vehicle_cost": 60000,  # CNY
        "parking_cost": 500,  # CNY per m2
    },
    "trips": {"synthetic": 150, "seed": 3},
}
data = SubsidyPricingData.from_dict(record)


def best_on_a_grid(data: SubsidyPricingData, subsidies: Subsidies, points: int = 60) -> float:
    """The operator's best feasible utility over a grid of prices: never above the exact optimum."""
    problem, params = OperatorProblem.of(data), data.params
    best = -np.inf
    for per_km in np.linspace(0, params.price_per_km_max, points):
        for per_min in np.linspace(0, params.price_per_min_max, points):
            outcome = evaluate(problem, per_km, per_min, subsidies)
            if outcome.feasible:
                best = max(best, outcome.operator)
    return best


# 1. Solve both levels exactly: the government's optimum against the operator's exact response.
solution = subsidy_pricing.solve(data)
outcome, response = solution.outcome, solution.response
print(solution.upper_level)
print(
    f"Sc1 = {outcome.vehicle_subsidy:.4f}, Sc2 = {outcome.infrastructure_subsidy:.4f}; "
    f"p_s = {response.price_per_km:.4f} CNY/km, p_t = {response.price_per_min:.4f} CNY/min; "
    f"{outcome.trips} shared trips, U_O = {outcome.operator:.0f}, U_G = {outcome.government:.0f} CNY/year"
)
grid = best_on_a_grid(data, outcome.subsidies)
assert grid <= response.operator * (1 + 1e-9), (grid, response.operator)
print(f"best of a 60 x 60 price grid: U_O = {grid:.0f} <= {response.operator:.0f}")

# 2. Change a parameter: running a vehicle costs 50 instead of 60 CNY a day. At unchanged prices and choices
#    the operator saves exactly fleet x 10 CNY x 365 days a year, so its new best response to the same
#    subsidies is at least that much higher, and again no grid price beats it.
#    (The choices are the response's own: at a supremum the prices are approached from inside its cell.)
record["params"]["operating_cost"] = 50
cheaper = SubsidyPricingData.from_dict(record)
saving = outcome.fleet * 10 * cheaper.params.days
same_prices = evaluate(
    OperatorProblem.of(cheaper), response.price_per_km, response.price_per_min, outcome.subsidies, response.chosen
)
assert abs(same_prices.operator - (response.operator + saving)) <= 1e-6 * saving
again = subsidy_pricing.solve(cheaper, fixed_subsidy=outcome.subsidies)
assert again.response.operator >= response.operator + saving * (1 - 1e-9)
assert best_on_a_grid(cheaper, outcome.subsidies) <= again.response.operator * (1 + 1e-9)
print(f"operating cost 50: U_O = {again.response.operator:.0f} >= {response.operator:.0f} + {saving:.0f}")

# 3. Swap the solver from a TOML file: Ipopt solves the smooth variant (expected choices); its prices,
#    realised on the trips, can do no better than the exact response.
smooth = subsidy_pricing.solve(
    data, SolverConfig.from_file(HERE / "solver.toml"), method="expected", fixed_subsidy=outcome.subsidies
)
print(f"{smooth.method} by Ipopt: realised U_O = {smooth.outcome.operator:.0f} <= {response.operator:.0f}")
assert smooth.outcome.operator <= response.operator * (1 + 1e-9)

# 4. Verify: the response table, the MILP and the swarm against the sweep; no subsidy grid beats the optimum.
table = subsidy_pricing.verify(data)
print(f"verdicts: {table.counts()}")
assert table.passed, table.failures
print("subsidy-pricing example: all checks passed")
