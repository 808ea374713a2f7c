"""Constrained satisfaction Nash bargaining (seed 000 §2.4.2): solve, give one player more power, swap in PSO.

Run ``python examples/satisfaction.py``. The optimum r* gives every player the least any proposal grants it,
q_i⁻, and splits the rest by power, except that nobody gets more than the most any proposal grants, q_i⁺:
the expected values below are worked out by hand from the proposals.
"""

import tempfile
from pathlib import Path

import pandas as pd

from evgames import SolverConfig, api
from evgames.data import SatisfactionData
from evgames.models import satisfaction

HERE = Path(__file__).resolve().parent
CAR, MAKER, OPERATOR = "car manufacturer", "facility manufacturer", "facility operator"
CURRENT = {CAR: 0.346, MAKER: 0.257, OPERATOR: 0.397}  # the shares r before the adjustment of eq. (18)

# Seed 000 §3.2: each player's proposed plan Q_j, its power γ_j, the current shares r and φ of eq. (18).
data = SatisfactionData.from_dict(
    {
        "players": [
            {"name": CAR, "power": 0.32, "proposal": {CAR: 0.37, MAKER: 0.24, OPERATOR: 0.39}},
            {"name": MAKER, "power": 0.25, "proposal": {CAR: 0.31, MAKER: 0.36, OPERATOR: 0.33}},
            {"name": OPERATOR, "power": 0.43, "proposal": {CAR: 0.32, MAKER: 0.26, OPERATOR: 0.42}},
        ],
        "current": CURRENT,
        "adjustment": 0.7,
    }
)


def assert_close(found: pd.Series, expected: dict[str, float], tolerance: float) -> None:
    for name, value in expected.items():
        assert abs(found[name] - value) < tolerance, (name, found[name], value)


# By hand: q⁻ = (0.31, 0.24, 0.33) leaves 1 − 0.88 = 0.12 to split by power; no cap q⁺ = (0.37, 0.36, 0.42) binds.
split = {CAR: 0.31 + 0.32 * 0.12, MAKER: 0.24 + 0.25 * 0.12, OPERATOR: 0.33 + 0.43 * 0.12}

# 1. Solve with the default solver (Ipopt); eq. (18) moves the current shares 70 % of the way to r*.
solution = satisfaction.solve(data)
print(solution.to_frame().round(4))
assert_close(solution.optimum, split, 1e-6)
assert solution.adjusted is not None  # the data carry current shares and φ
assert_close(solution.adjusted, {n: CURRENT[n] + 0.7 * (split[n] - CURRENT[n]) for n in split}, 1e-6)

# 2. Change a parameter: the car manufacturer's power rises to 0.8. Its share would exceed the most any
#    proposal grants it (0.37), so it is capped there and the others split the remaining 0.06 equally.
record = data.to_dict()
for player, power in zip(record["players"], (0.8, 0.1, 0.1)):
    player["power"] = power
strong = SatisfactionData.from_dict(record)
capped = satisfaction.solve(strong)
assert_close(capped.optimum, {CAR: 0.37, MAKER: 0.24 + 0.03, OPERATOR: 0.33 + 0.03}, 1e-6)
print(f"car power 0.8: r* = {capped.optimum.round(4).to_dict()}")
print(f"   eq. (17) as printed, cap ignored: {capped.paper_eq17.round(4).to_dict()}")

# 3. Swap the solver from a TOML file: the particle swarm reaches r* to its tolerance class.
swarm = satisfaction.solve(data, SolverConfig.from_file(HERE / "pso.toml"))
assert_close(swarm.optimum, split, api.TOLERANCE["pso"])
print(f"{swarm.result.route}: {swarm.result.status}, {swarm.result.iterations} iterations")

# 4. Verify from a file: Ipopt and PSO against the closed forms (`evgames verify satisfaction --data FILE`).
with tempfile.TemporaryDirectory() as folder:
    _, table = api.verify_all(["satisfaction"], strong.to_yaml(Path(folder) / "satisfaction.yaml"))
print(table.to_frame()[["check", "verdict", "difference", "tolerance"]])
# The true optimum agrees with both solvers; the paper's eq. (17) ignores the cap and must disagree here.
assert all(check.passed == ("eq. (17)" not in check.check) for check in table.checks), table.to_frame()
print("satisfaction example: all checks passed")
