"""Banzhaf, solidarity, equal division and Harsanyi dividends of a TU game.

All are linear in the game, so a cost game's values are read as cost shares with no change of sign.
"""

from __future__ import annotations

from math import factorial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evgames.games.coalitions import coalition_sizes, marginal_contributions, split

if TYPE_CHECKING:  # only annotations: TUGame's thin methods import this module
    from evgames.games.tu import TUGame

__all__ = ["banzhaf", "equal_division", "harsanyi_dividends", "normalised_banzhaf", "solidarity"]


def banzhaf(game: TUGame) -> pd.Series:
    """Raw Banzhaf value β_i = Σ_{S ∌ i} (v(S ∪ i) − v(S)) / 2^(n−1): every coalition equally likely.

    For two players it equals the Shapley value. It is not efficient in general.
    """
    scale = 1.0 / (1 << (game.n - 1))
    result = [float(marginal_contributions(game.values, i).sum()) * scale for i in range(game.n)]
    return pd.Series(result, index=list(game.players), name="banzhaf")


def normalised_banzhaf(game: TUGame) -> pd.Series:
    """Banzhaf value rescaled to sum to v(N) (the efficient normalisation)."""
    raw = banzhaf(game)
    return (raw * game.grand_value / raw.sum()).rename("normalised_banzhaf")


def solidarity(game: TUGame) -> pd.Series:
    """Nowak–Radzik (1994) solidarity value.

    ψ_i = Σ_{S ∋ i} (s−1)!(n−s)!/n! · A(S), where A(S) = (1/s) Σ_{k ∈ S} (v(S) − v(S∖k)) is the average
    marginal contribution within S: a player who adds little is carried by the coalition's average.
    """
    n = game.n
    sizes = coalition_sizes(n)
    without_one = np.zeros(game.values.size)  # Σ_{k ∈ S} v(S ∖ k)
    for k in range(n):
        halves = split(without_one, k)
        halves[:, 1, :] += split(game.values, k)[:, 0, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        average = np.where(sizes > 0, game.values - without_one / np.maximum(sizes, 1), 0.0)
    weights = np.array([0.0] + [factorial(s - 1) * factorial(n - s) / factorial(n) for s in range(1, n + 1)])
    weighted = weights[sizes] * average
    result = [float(split(weighted, i)[:, 1, :].sum()) for i in range(n)]
    return pd.Series(result, index=list(game.players), name="solidarity")


def equal_division(game: TUGame) -> pd.Series:
    """v(N)/n for everybody."""
    return pd.Series(game.grand_value / game.n, index=list(game.players), name="equal_division")


def harsanyi_dividends(game: TUGame) -> pd.Series:
    """Dividends d(S) = Σ_{T ⊆ S} (−1)^{|S|−|T|} v(T) (Möbius transform), by comma-joined coalition.

    v(S) = Σ_{T ⊆ S} d(T), and the Shapley value shares each dividend equally among its members.
    """
    dividends = game.values.copy()
    for k in range(game.n):
        halves = split(dividends, k)
        halves[:, 1, :] -= halves[:, 0, :]
    labels = [game.label(mask) for mask in range(1, dividends.size)]
    return pd.Series(dividends[1:], index=labels, name="dividend")
