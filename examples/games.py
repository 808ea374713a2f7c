"""Classic TU games: the Talmud's bankruptcy problem and an airport runway, by their closed forms.

Run ``python examples/games.py``. O'Neill's bankruptcy game has the Talmud rule as its nucleolus (Aumann &
Maschler 1985) and Littlechild and Owen's airport game has, as its Shapley value, each runway segment's cost
shared equally by the planes that need it. Both rules are written out here and compared with the package's
LP nucleolus and Shapley value; the last step allocates the same game from a YAML file, as
``evgames allocate --data FILE --method nucleolus`` does. (The allocation LPs run on HiGHS and take no solver
option, so this example, unlike the model families', has no solver to swap.)
"""

import math
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from evgames.allocation import allocate
from evgames.games import TUGame, allocation_checks, nucleolus, shapley

CLAIMS = {"A": 100.0, "B": 200.0, "C": 300.0}  # the Talmud's three creditors (Ketubot 93a)


def equal_awards(caps: dict[str, float], amount: float) -> dict[str, float]:
    """Split ``amount`` equally, nobody above its cap: min(cap_i, λ) with Σ = amount (λ by bisection)."""
    low, high = 0.0, max(caps.values())
    for _ in range(200):
        level = (low + high) / 2
        low, high = (level, high) if sum(min(cap, level) for cap in caps.values()) < amount else (low, level)
    return {name: min(cap, high) for name, cap in caps.items()}


def talmud(estate: float, claims: dict[str, float]) -> dict[str, float]:
    """The Talmud rule: equal awards of the half-claims up to half the total, then equal losses."""
    half = {name: claim / 2 for name, claim in claims.items()}
    if estate <= sum(half.values()):
        return equal_awards(half, estate)
    losses = equal_awards(half, sum(claims.values()) - estate)
    return {name: claims[name] - losses[name] for name in claims}


def assert_close(found: pd.Series, expected: dict[str, float]) -> None:
    for name, value in expected.items():
        assert math.isclose(found[name], value, abs_tol=1e-6), (name, found[name], value)


# 1. The bankruptcy game of an estate of 200: its nucleolus (sequential LPs) is the Talmud's (50, 75, 75).
game = TUGame.bankruptcy(200, CLAIMS)
found = nucleolus(game).allocation
print(f"estate 200: nucleolus {found.round(4).to_dict()}")
assert_close(found, talmud(200, CLAIMS))
assert_close(found, {"A": 50, "B": 75, "C": 75})

# 2. Change a parameter: the Mishnah's other two estates, 100 (equal shares) and 300 (proportional shares).
for estate in (100, 300):
    found = nucleolus(TUGame.bankruptcy(estate, CLAIMS)).allocation
    assert_close(found, talmud(estate, CLAIMS))
    print(f"estate {estate}: nucleolus {found.round(4).to_dict()}")

# 3. A cost game: planes needing runways of cost 1, 3 and 6. The first segment (1) is shared by all three,
#    the second (3 - 1) by the two that need it, the last (6 - 3) by the largest plane alone.
runway = TUGame.airport({"small": 1.0, "medium": 3.0, "large": 6.0})
assert_close(shapley(runway), {"small": 1 / 3, "medium": 1 / 3 + 2 / 2, "large": 1 / 3 + 2 / 2 + 3})
print(f"airport: Shapley {shapley(runway).round(4).to_dict()}")

# 4. Verify: read the game from a file, allocate and check efficiency, individual rationality and the core.
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "bankruptcy.yaml"
    path.write_text(yaml.safe_dump({"players": list(CLAIMS), "bankruptcy": {"estate": 200, "claims": CLAIMS}}))
    report = allocate(path, "nucleolus")
assert_close(report.allocation, talmud(200, CLAIMS))
print(f"checks: {report.checks}")
assert all(report.checks.values()), report.checks
assert all(allocation_checks(runway, shapley(runway)).values())  # the airport game is concave: Shapley in core
print("games example: all checks passed")
