"""Allocate a TU game described in YAML by a named method, and check the allocation.

Game YAML (the ``allocate`` contract)::

    players: [A, B, C]
    values: {"A": 24, "B": 18, "C": 6, "A,B": 54, "A,C": 40, "B,C": 30, "A,B,C": 69}
    kind: profit                     # or cost: the values are costs to share (x(S) ≤ c(S) in the core)

    # instead of values, one classic game (TUGame.from_mapping), e.g. the UN Security Council:
    # weighted_voting: {quota: 39, weights: [7, 7, 7, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}
    # or bankruptcy: {estate: 200, claims: {...}}, airport: {costs: {...}} (a cost game), glove, apex, ...

    correction:                      # for modified-shapley (seed 000 eq. (12)–(13), seed 001 eq. (12)–(16))
      factors: [investment, risk, contribution]
      scores: {A: [60, 0.48, 0.5], B: [40, 0.42, 0.41], C: [25, 0.10, 0.09]}   # normalised per factor
      weights: [0.4, 0.3, 0.3]       # or "entropy", or comparisons: [[1, 2, 2], [0.5, 1, 1], [0.5, 1, 1]] (AHP)
      scale: grand                   # X in φ + X(β − 1/n): grand (v(N)), surplus (v(N) − Σ v(i)) or a number

    topsis:                          # for topsis (seed 004 eq. (5)–(10))
      normalisation: none            # none | vector | max | sum | minmax
      schemes: [shapley, nucleolus, {name: risk, proportional: {A: 0.48, B: 0.42, C: 0.10}}]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evgames import games
from evgames.data.validation import (
    DEFAULT_CORRECTION_SCALE,
    DataError,
    load_mapping,
    require_fields,
    require_finite,
    require_list,
    require_mapping,
    require_unique,
    require_weights,
)
from evgames.games import (
    TUGame,
    ahp_weights,
    banzhaf,
    correction_weights,
    entropy_weights,
    modified_shapley,
    normalise_columns,
    normalised_banzhaf,
    proportional_allocation,
    shapley,
    solidarity,
    topsis,
)
from evgames.games.corrections import correction_scale

__all__ = ["METHODS", "AllocationReport", "allocate"]


@dataclass(frozen=True)
class AllocationReport:
    """An allocation, its checks and method-specific details (ε, levels, weights, β, ...)."""

    method: str
    allocation: pd.Series
    checks: dict[str, bool | None]
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``allocate --json`` contract."""
        return {
            "method": self.method,
            "allocation": {name: float(value) for name, value in self.allocation.items()},
            "checks": self.checks,
            **({"details": self.details} if self.details else {}),
        }


def _score_table(game: TUGame, block: Mapping[str, Any]) -> pd.DataFrame:
    """``correction.factors`` and ``correction.scores`` as a players × factors table of finite numbers."""
    factors = list(require_unique("correction.factors", require_list("correction.factors", block["factors"], "names")))
    scores = require_mapping("correction.scores", block["scores"], "players to rows of scores")
    if set(scores) != set(game.players):
        raise DataError("correction.scores", sorted(map(str, scores)), f"needs one row per player {list(game.players)}")
    rows = []
    for player in game.players:
        row = require_list(f"correction.scores.{player}", scores[player], "scores, one per factor")
        if len(row) != len(factors):
            raise DataError(f"correction.scores.{player}", row, f"needs one score per factor ({len(factors)})")
        rows.append([require_finite(f"correction.scores.{player}[{i}]", value) for i, value in enumerate(row)])
    return pd.DataFrame(rows, index=list(game.players), columns=factors)


def _correction(game: TUGame, block: Mapping[str, Any]) -> tuple[pd.Series, dict[str, Any]]:
    require_fields("correction", block, ("factors", "scores"), ("weights", "comparisons", "scale"))
    table = normalise_columns(_score_table(game, block))
    factors = list(table.columns)
    details: dict[str, Any] = {}
    if "comparisons" in block and "weights" in block:
        raise DataError("correction", sorted(block), "give weights or AHP comparisons, not both")
    if "comparisons" in block:
        ahp = ahp_weights(block["comparisons"], factors)
        weights = ahp.weights
        details["consistency_ratio"] = ahp.consistency_ratio
    elif block.get("weights") == "entropy":
        weights = entropy_weights(table)
    elif "weights" in block:
        weights = pd.Series(require_weights("correction.weights", block["weights"], len(factors)), index=factors)
    else:
        raise DataError("correction", sorted(block), "give weights (a list or 'entropy') or AHP comparisons")
    beta = correction_weights(table, weights.to_numpy())
    standalone = sum(game.values[1 << i] for i in range(game.n))
    amount = correction_scale(
        game.grand_value, standalone, block.get("scale", DEFAULT_CORRECTION_SCALE), "correction.scale"
    )
    details.update(weights=weights.to_dict(), beta=beta.to_dict(), scale=amount)
    return modified_shapley(shapley(game), beta, amount), details


_SIMPLE: dict[str, Callable[[TUGame], pd.Series]] = {
    "shapley": shapley,
    "banzhaf": banzhaf,
    "normalised-banzhaf": normalised_banzhaf,
    "solidarity": solidarity,
    "nucleolus": lambda game: games.nucleolus(game).allocation,
    "prenucleolus": lambda game: games.prenucleolus(game).allocation,
}


def _scheme(game: TUGame, spec: Any, position: int) -> tuple[str, pd.Series]:
    if isinstance(spec, str):
        if spec not in _SIMPLE:
            raise DataError(f"topsis.schemes[{position}]", spec, f"use one of {sorted(_SIMPLE)} or a proportional one")
        return spec, _SIMPLE[spec](game)
    require_fields(f"topsis.schemes[{position}]", spec, ("name", "proportional"))
    field = f"topsis.schemes[{position}].proportional"
    shares = require_mapping(field, spec["proportional"], "players to amounts")
    if set(shares) != set(game.players):
        raise DataError(field, sorted(map(str, shares)), f"needs one amount per player {list(game.players)}")
    amounts = {player: require_finite(f"{field}.{player}", shares[player]) for player in game.players}
    return str(spec["name"]), proportional_allocation(amounts, game.grand_value)


def _topsis(game: TUGame, block: Mapping[str, Any]) -> tuple[pd.Series, dict[str, Any]]:
    require_fields("topsis", block, ("schemes",), ("normalisation",))
    specs = require_list("topsis.schemes", block["schemes"], "scheme names or {name, proportional}")
    schemes: dict[str, pd.Series] = {}
    for position, spec in enumerate(specs):
        name, values = _scheme(game, spec, position)
        if name in schemes:
            raise DataError(f"topsis.schemes[{position}]", name, "a scheme of this name is listed already")
        schemes[name] = values
    table = pd.DataFrame({name: values.reindex(list(game.players)) for name, values in schemes.items()}).T
    result = topsis(table, block.get("normalisation", "none"))
    details = {"weights": result.weights.to_dict(), "schemes": table.to_dict(orient="index")}
    return result.allocation, details


METHODS = (
    "shapley",
    "banzhaf",
    "normalised-banzhaf",
    "solidarity",
    "nucleolus",
    "prenucleolus",
    "least-core",
    "core-point",
    "modified-shapley",
    "topsis",
)


def _core_point(game: TUGame) -> pd.Series:
    """A core allocation, or a :class:`DataError` saying by how much the core is empty."""
    point = games.core_point(game)
    if point is None:
        epsilon = games.least_core(game, "preimputation").epsilon
        raise DataError("method", "core-point", f"the core is empty (least core ε = {epsilon:g} > 0); try least-core")
    return point


def allocate(source: str | Path | Mapping[str, Any], method: str) -> AllocationReport:
    """Allocate the game in ``source`` (YAML path or mapping) by ``method`` and check the result."""
    if method not in METHODS:
        raise DataError("method", method, f"use one of {list(METHODS)}")
    record = load_mapping(source)
    game = TUGame.from_mapping(record)
    details: dict[str, Any] = {}
    if method in ("nucleolus", "prenucleolus"):
        found = games.nucleolus(game) if method == "nucleolus" else games.prenucleolus(game)
        allocation, details = found.allocation, {"levels": list(found.levels), "lp_solves": found.lp_solves}
    elif method == "least-core":
        core = games.least_core(game)
        allocation, details = core.allocation, {"epsilon": core.epsilon}
    elif method == "core-point":
        allocation = _core_point(game)
    elif method == "modified-shapley":
        if "correction" not in record:
            raise DataError("correction", None, "modified-shapley needs a correction block")
        allocation, details = _correction(game, record["correction"])
    elif method == "topsis":
        if "topsis" not in record:
            raise DataError("topsis", None, "topsis needs a topsis block with schemes")
        allocation, details = _topsis(game, record["topsis"])
    else:
        allocation = _SIMPLE[method](game)
        if method == "banzhaf":
            details = {"normalised": normalised_banzhaf(game).to_dict()}
    return AllocationReport(
        method=method,
        allocation=allocation.rename(method),
        checks=games.allocation_checks(game, allocation),
        details=details,
    )
