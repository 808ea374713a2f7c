"""The Shapley value: exact (seed 000 eq. (10)–(11)) and by permutation sampling."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import comb
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evgames.data.validation import DataError
from evgames.games.coalitions import coalition_sizes

if TYPE_CHECKING:  # only annotations: TUGame's thin methods import this module
    from evgames.games.tu import TUGame

__all__ = ["SampledShapley", "shapley", "shapley_sampled"]


def shapley(game: TUGame) -> pd.Series:
    """Exact Shapley value, φ_i = Σ_{S ∌ i} |S|!(n−|S|−1)!/n! · (v(S ∪ i) − v(S)) (eq. 10–11).

    Rewritten as φ_i = Σ_{S ∋ i} a(|S|) v(S) − Σ_{S ∌ i} b(|S|) v(S) with a(s) = 1/(n·C(n−1, s−1)) and
    b(s) = 1/(n·C(n−1, s)). Adding and subtracting Σ_{S ∋ i} b(|S|) v(S) gives
    φ_i = Σ_{S ∋ i} c(S) − B with c(S) = (a(|S|) + b(|S|)) v(S) and B = Σ_S b(|S|) v(S), the same for every
    player. The n sums over the coalitions containing i are one fold of the 2^n-array: the top half of
    the array holds the coalitions with the highest player, and adding the halves leaves the same problem
    for the other n − 1 players, so the whole value costs about two passes over the values instead of n.
    The value is linear in v, so a cost game's Shapley value is its cost sharing as it stands (for the
    airport game: each increment of runway cost split equally among those who need it, Littlechild &
    Owen 1973).
    """
    n = game.n
    sizes = coalition_sizes(n, np.uint8)
    weight_with = np.array([0.0] + [1.0 / (n * comb(n - 1, s - 1)) for s in range(1, n + 1)])
    weight_without = np.array([1.0 / (n * comb(n - 1, s)) for s in range(n)] + [0.0])
    values = game.values
    common = float(weight_without[sizes] @ values)
    folded = (weight_with + weight_without)[sizes]
    folded *= values
    result = np.empty(n)
    for player in range(n - 1, -1, -1):
        low, high = folded.reshape(2, -1)
        result[player] = high.sum() - common
        folded = np.add(low, high, out=low)  # in place: no new 2^n-array per player
    return pd.Series(result, index=list(game.players), name="shapley")


@dataclass(frozen=True)
class SampledShapley:
    """Permutation-sampling estimate of the Shapley value.

    Attributes:
        value: Estimated φ_i by player.
        standard_error: Standard error of each estimate (sample std / √permutations).
        permutations: Number of sampled orderings.
    """

    value: pd.Series
    standard_error: pd.Series
    permutations: int


def shapley_sampled(
    game: TUGame | tuple[Sequence[str], Callable[[frozenset[str]], float]],
    permutations: int = 1000,
    seed: int = 0,
) -> SampledShapley:
    """Monte Carlo Shapley value from random orderings (Castro, Gómez & Tejada 2009).

    ``game`` is a :class:`TUGame` or ``(players, value)`` with ``value(frozenset_of_names)``, for games
    too large to tabulate. Each ordering gives every player one marginal contribution, so the cost is
    ``permutations × n`` evaluations of v.
    """
    if permutations < 2:
        raise DataError("permutations", permutations, "need at least 2 to estimate a standard error")
    if isinstance(game, tuple):
        players = list(game[0])
        named = game[1]

        def value(members: frozenset[int]) -> float:
            return float(named(frozenset(players[i] for i in members)))
    else:
        players = list(game.players)
        table = game.values

        def value(members: frozenset[int]) -> float:
            return float(table[sum(1 << i for i in members)])

    n = len(players)
    rng = np.random.default_rng(seed)
    samples = np.empty((permutations, n))
    for row in range(permutations):
        members: frozenset[int] = frozenset()
        previous = value(members)
        for player in rng.permutation(n):
            members = members | {int(player)}
            current = value(members)
            samples[row, player] = current - previous
            previous = current
    mean = samples.mean(axis=0)
    error = samples.std(axis=0, ddof=1) / np.sqrt(permutations)
    return SampledShapley(
        value=pd.Series(mean, index=players, name="shapley"),
        standard_error=pd.Series(error, index=players, name="standard_error"),
        permutations=permutations,
    )
