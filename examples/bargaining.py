"""Fixed-ratio asymmetric Nash bargaining (seed 000 §2.4.1): solve, change the negotiation cost, swap in PSO.

Run ``python examples/bargaining.py``. Every optimum is checked against eq. (9), computed here by hand:
a_i = γ_i (1 − Σ θ_j) + θ_i with θ_i = (C_i + G_i) / (V_m − k).
"""

import tempfile
from pathlib import Path

import pandas as pd

from evgames import SolverConfig, api
from evgames.data import BargainingData
from evgames.models import bargaining

HERE = Path(__file__).resolve().parent

# Seed 000 §3's alliance (10,000 yuan), built in code: cost C_i, standalone profit G_i, power γ_i.
data = BargainingData.from_dict(
    {
        "total_benefit": 1000,
        "negotiation_cost": 100,
        "players": [
            {"name": "car manufacturer", "cost": 100, "standalone": 180, "power": 0.32},
            {"name": "facility manufacturer", "cost": 80, "standalone": 130, "power": 0.25},
            {"name": "facility operator", "cost": 120, "standalone": 200, "power": 0.43},
        ],
    }
)


def eq9(data: BargainingData) -> dict[str, float]:
    """Eq. (9) by hand, independent of the package's closed form."""
    net = data.total_benefit - data.negotiation_cost
    theta = {p.name: (p.cost + p.standalone) / net for p in data.players}
    surplus = 1 - sum(theta.values())
    return {p.name: p.power * surplus + theta[p.name] for p in data.players}


def check(shares: pd.Series, expected: dict[str, float], tolerance: float) -> None:
    for name, share in expected.items():
        assert abs(shares[name] - share) < tolerance, (name, shares[name], share)


# 1. Solve with the default solver (Ipopt).
solution = bargaining.solve(data)
print(solution.to_frame().round(4))
check(solution.shares, eq9(data), 1e-6)

# 2. Change a parameter: a costlier negotiation leaves less surplus to split by power.
dearer = data.with_values(negotiation_cost=150)
again = bargaining.solve(dearer)
check(again.shares, eq9(dearer), 1e-6)
print(f"k = 150: shares {again.shares.round(4).to_dict()}")

# 3. Swap the solver from a TOML file: the particle swarm reaches eq. (9) to its tolerance class.
pso = SolverConfig.from_file(HERE / "pso.toml")
swarm = bargaining.solve(data, pso)
check(swarm.shares, eq9(data), api.TOLERANCE["pso"])
print(f"{swarm.result.route}: {swarm.result.status}, {swarm.result.iterations} iterations")

# 4. Verify from a file: write the data to YAML and run `evgames verify bargaining --data FILE`'s checks
#    (Ipopt and PSO against the closed form, each within its tolerance class).
with tempfile.TemporaryDirectory() as folder:
    reports, table = api.verify_all(["bargaining"], data.to_yaml(Path(folder) / "bargaining.yaml"))
print(table.to_frame()[["check", "verdict", "difference", "tolerance"]])
assert table.passed, table.failures
print("bargaining example: all checks passed")
