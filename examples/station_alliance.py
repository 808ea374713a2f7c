"""Station alliance (seed 001 §4): coalition values of a synthetic city, a dearer platform, Ipopt from a TOML.

Run ``python examples/station_alliance.py``. Every coalition value v(S) is a MILP (HiGHS); the example checks
the Shapley value against its permutation formula worked out here, the effect of the platform cost Q against
its closed form, and the LP relaxation solved by Ipopt (from ``examples/solver.toml``) against HiGHS.
"""

import math
from collections.abc import Callable
from dataclasses import replace
from itertools import permutations
from pathlib import Path

from evgames import SolverConfig
from evgames.data.synthetic import synthetic_city
from evgames.games import TUGame
from evgames.models import station_alliance

HERE = Path(__file__).resolve().parent

# Five seeded stations over 24 hourly periods (see evgames.data.synthetic for how they are drawn).
data = synthetic_city(stations=5, periods=24, seed=0)
names = list(data.names)


def shapley_by_permutations(value: Callable[[frozenset[str]], float]) -> dict[str, float]:
    """φ_i = average over the orders of the players of i's marginal contribution, from v(S) by names."""
    total = dict.fromkeys(names, 0.0)
    orders = list(permutations(names))
    for order in orders:
        for position, name in enumerate(order):
            before = frozenset(order[:position])
            total[name] += value(before | {name}) - value(before)
    return {name: amount / len(orders) for name, amount in total.items()}


def game_value(game: TUGame) -> Callable[[frozenset[str]], float]:
    """v(S) of a set of station names (v(∅) = 0)."""
    return lambda coalition: game.value(sorted(coalition)) if coalition else 0.0


# 1. Solve every coalition with the default MILP solver (HiGHS) and allocate the grand coalition's value.
solution = station_alliance.solve(data)
game = solution.game
print(f"v(N) = {game.grand_value:.2f}; convex: {solution.convex}; Shapley in core: {solution.shapley_in_core}")
shapley = solution.allocations["shapley"]
print(shapley.round(2).to_dict())
for name, share in shapley_by_permutations(game_value(game)).items():
    assert math.isclose(shapley[name], share, rel_tol=1e-9, abs_tol=1e-6), (name, shapley[name], share)

# 2. Change a parameter: the shared platform costs 50 more a day. Every coalition of two or more stations
#    pays it once, whatever its plan, so v(S) drops by exactly 50 and the stand-alone values stay.
dearer = station_alliance.solve(replace(data, platform_cost=data.platform_cost + 50))
for coalition in range(1, 1 << len(names)):
    members = [name for i, name in enumerate(names) if coalition >> i & 1]
    drop = 50 if len(members) > 1 else 0
    assert math.isclose(dearer.game.value(members), game.value(members) - drop, abs_tol=1e-6), members
print(f"platform cost +50: v(N) = {dearer.game.grand_value:.2f}")

# 3. Swap the solver from a TOML file: Ipopt solves the LP relaxation (fractional vehicles), as HiGHS does.
ipopt = SolverConfig.from_file(HERE / "solver.toml")
relaxed = station_alliance.coalition_values(data, relax=True, solver=ipopt)
reference = station_alliance.coalition_values(data, relax=True)
gap = max(abs(relaxed[mask] - reference[mask]) / max(1.0, abs(reference[mask])) for mask in reference)
print(f"LP relaxation, Ipopt vs HiGHS: largest relative difference {gap:.1e}")
assert gap < 1e-6

# 4. Verify: sampled coalitions against fresh MILPs and LP bounds, each allocation's efficiency and core.
#    This city's game is not convex, so the Shapley value need not lie in the core (the nucleolus does when
#    the core is non-empty): that one verdict is allowed to read "violated", and is printed.
table = station_alliance.verify(data)
print(f"verdicts: {table.counts()}")
expected_violation = "shapley: in the core"
for check in table.failures:
    print(f"- {check.check}: {check.verdict.value}; {check.detail}")
    assert check.check == expected_violation and not solution.convex, check
assert solution.shapley_in_core == all(check.check != expected_violation for check in table.failures)
print("station-alliance example: all checks passed")
