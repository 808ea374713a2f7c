"""TOPSIS over allocation schemes: scheme weights from their closeness to the ideal split (seed 004 eq. (5)–(10)).

Each scheme j gives player i the amount x_ij. Players are the criteria (each prefers more), schemes the
alternatives. With the columns optionally normalised, the ideal split takes every player's best
amount and the anti-ideal its worst; D⁺_j and D⁻_j are the Euclidean distances of scheme j from them,
the closeness is C_j = D⁻_j / (D⁺_j + D⁻_j), the scheme weights are ω_j = C_j / Σ C, and the blended
allocation is x_i = Σ_j ω_j x_ij, efficient whenever every scheme is.

Seed 004 does not print eq. (5)–(10); ``normalisation`` makes the choice explicit:
``none`` (raw amounts, the "comprehensive negotiation" reading), ``vector`` (x/‖x‖, Hwang & Yoon),
``max`` (x/max), ``sum`` (x/Σx) or ``minmax`` ((x − min)/(max − min)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evgames.data.validation import DataError

__all__ = ["NORMALISATIONS", "TopsisResult", "topsis"]

NORMALISATIONS = ("none", "vector", "max", "sum", "minmax")


@dataclass(frozen=True)
class TopsisResult:
    """Scheme weights ω, distances and the blended allocation.

    Attributes:
        table: One row per scheme: distance_to_ideal, distance_to_anti_ideal, closeness, weight.
        allocation: x_i = Σ_j ω_j x_ij by player.
    """

    table: pd.DataFrame
    allocation: pd.Series

    @property
    def weights(self) -> pd.Series:
        """ω_j by scheme."""
        return self.table["weight"]


def _normalise(values: np.ndarray, how: str) -> np.ndarray:
    if how == "none":
        return values
    if how == "vector":
        return values / np.linalg.norm(values, axis=0)
    if how == "max":
        return values / values.max(axis=0)
    if how == "sum":
        return values / values.sum(axis=0)
    spread = values.max(axis=0) - values.min(axis=0)
    return (values - values.min(axis=0)) / np.where(spread > 0, spread, 1.0)


def topsis(schemes: pd.DataFrame, normalisation: str = "none") -> TopsisResult:
    """TOPSIS on ``schemes`` (rows: schemes, columns: players; entries: amounts to each player)."""
    if normalisation not in NORMALISATIONS:
        raise DataError("normalisation", normalisation, f"use one of {NORMALISATIONS}")
    if schemes.shape[0] < 2:
        raise DataError("schemes", schemes.shape[0], "TOPSIS needs at least two schemes to compare")
    raw = schemes.to_numpy(dtype=float)
    if not np.all(np.isfinite(raw)):
        raise DataError("schemes", schemes.to_dict(), "amounts must be finite")
    scaled = _normalise(raw, normalisation)
    ideal, anti_ideal = scaled.max(axis=0), scaled.min(axis=0)
    to_ideal = np.sqrt(((scaled - ideal) ** 2).sum(axis=1))
    to_anti_ideal = np.sqrt(((scaled - anti_ideal) ** 2).sum(axis=1))
    spread = to_ideal + to_anti_ideal
    if np.any(spread == 0):
        raise DataError("schemes", schemes.to_dict(), "all schemes coincide: TOPSIS cannot rank them")
    closeness = to_anti_ideal / spread
    weights = closeness / closeness.sum()
    table = pd.DataFrame(
        {
            "distance_to_ideal": to_ideal,
            "distance_to_anti_ideal": to_anti_ideal,
            "closeness": closeness,
            "weight": weights,
        },
        index=schemes.index,
    )
    allocation = pd.Series(weights @ raw, index=schemes.columns, name="topsis")
    return TopsisResult(table=table, allocation=allocation)
