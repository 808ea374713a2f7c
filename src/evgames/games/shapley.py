"""The Shapley value and its correction-factor modification (seed 000 eq. (10)–(14))."""

from __future__ import annotations

from math import factorial

import numpy as np
import pandas as pd

from evgames.data.validation import DataError
from evgames.games.tu import TUGame

__all__ = ["modified_shapley", "shapley"]


def shapley(game: TUGame) -> pd.Series:
    """Exact Shapley value, seed 000 eq. (10)–(11), in O(n 2^n) vectorised operations.

    φ_i = Σ_{S ∌ i} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S)).
    """
    n = game.n
    weights = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)])
    sizes = game.coalition_sizes()
    masks = np.arange(game.values.size, dtype=np.int64)
    result = np.empty(n)
    for i in range(n):
        bit = 1 << i
        without = masks[(masks & bit) == 0]
        marginal = game.values[without | bit] - game.values[without]
        result[i] = float(np.dot(weights[sizes[without]], marginal))
    return pd.Series(result, index=list(game.players), name="shapley")


def modified_shapley(value: pd.Series, correction: pd.Series, scale: float) -> pd.Series:
    """φ'_i = φ_i + X (β_i − 1/n), seed 000 eq. (13) with X = V_m (seed 001 uses the surplus).

    Args:
        value: The unmodified allocation φ (usually the Shapley value).
        correction: Comprehensive correction weights β, one per player, summing to 1.
        scale: X, the amount the deviation from equal weights is applied to.
    """
    if list(correction.index) != list(value.index):
        raise DataError("correction", list(correction.index), f"must list the players {list(value.index)}")
    n = len(value)
    return (value + scale * (correction - 1.0 / n)).rename("modified_shapley")
