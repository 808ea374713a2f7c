"""The Shapley value: exact (seed 000 eq. (10)–(11)) and by permutation sampling.

Sampling (Castro, Gómez & Tejada 2009) estimates eq. (11) from m orders drawn uniformly: in each order, player
i's sample is its marginal contribution to the players before it; the estimate is the mean of the m samples
and its standard error their standard deviation (ddof = 1) over √m. The orders are drawn first; the
coalitions they need (the prefixes of each order) are collected, deduplicated and evaluated in one call,
which a caller can spread over an executor (:func:`lazy_sampled_shapley`); then the marginal contributions
are assembled. Coalitions are bitmasks (bit i = the i-th player) in int64 arrays.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from math import comb
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evgames.data.validation import DataError
from evgames.games.coalitions import coalition_sizes

if TYPE_CHECKING:  # only annotations: TUGame's thin methods import this module
    from evgames.games.tu import TUGame

__all__ = [
    "MAX_SAMPLED_PLAYERS",
    "SampledShapley",
    "lazy_sampled_shapley",
    "marginal_contributions",
    "needed_coalitions",
    "prefix_coalitions",
    "sampled_orders",
    "shapley",
    "shapley_sampled",
]


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
    too large to tabulate (v(∅) = 0; at most :data:`MAX_SAMPLED_PLAYERS` players). Each ordering gives every
    player one marginal contribution, so the cost is at most ``permutations × n`` evaluations of v; each
    distinct coalition is evaluated once (:func:`lazy_sampled_shapley`).
    """
    if isinstance(game, tuple):
        players = list(game[0])
        named = game[1]

        def evaluate(masks: np.ndarray) -> np.ndarray:
            return np.array([float(named(frozenset(p for i, p in enumerate(players) if m >> i & 1))) for m in masks])
    else:
        players = list(game.players)
        table = game.values

        def evaluate(masks: np.ndarray) -> np.ndarray:
            return table[masks]

    return lazy_sampled_shapley(players, evaluate, permutations, seed)


#: Bits an int64 bitmask holds without reaching the sign bit.
MAX_SAMPLED_PLAYERS = 62


def sampled_orders(players: int, permutations: int, seed: int) -> np.ndarray:
    """The ``permutations`` × ``players`` joining orders.

    One ``numpy.random.default_rng(seed)``, one ``permutation(players)`` per row, in row order.
    """
    if permutations < 2:
        raise DataError("permutations", permutations, "need at least 2 to estimate a standard error")
    if not 1 <= players <= MAX_SAMPLED_PLAYERS:
        raise DataError("players", players, f"sampling takes 1 to {MAX_SAMPLED_PLAYERS} players (int64 bitmasks)")
    rng = np.random.default_rng(seed)
    return np.array([rng.permutation(players) for _ in range(permutations)], dtype=np.int64)


def prefix_coalitions(orders: np.ndarray) -> np.ndarray:
    """Bitmask of the players up to and including position k of each order: the coalitions eq. (11) compares."""
    return np.bitwise_or.accumulate(np.left_shift(np.int64(1), orders), axis=1)


def needed_coalitions(prefixes: np.ndarray, known: MutableMapping[int, float] | None = None) -> np.ndarray:
    """The distinct coalitions of ``prefixes`` not in ``known``, in the order they first appear.

    Row by row, each coalition adds one player to the one before it, so an evaluator that re-solves in this
    order changes one player at a time (a warm start, for a persistent solver).
    """
    flat = prefixes.ravel()
    _, first = np.unique(flat, return_index=True)
    distinct = flat[np.sort(first)]
    if known:
        distinct = distinct[~np.isin(distinct, np.fromiter(known, dtype=np.int64, count=len(known)))]
    return distinct


def marginal_contributions(orders: np.ndarray, prefixes: np.ndarray, values: MutableMapping[int, float]) -> np.ndarray:
    """Samples: row r, column i holds v(prefix up to i) − v(prefix before i) in order r (v(∅) = 0)."""
    worth = np.vectorize(values.__getitem__, otypes=[float])(prefixes)
    before = np.concatenate([np.zeros((worth.shape[0], 1)), worth[:, :-1]], axis=1)
    samples = np.empty_like(worth)
    np.put_along_axis(samples, orders, worth - before, axis=1)
    return samples


def lazy_sampled_shapley(
    players: Sequence[str],
    evaluate: Callable[[np.ndarray], np.ndarray],
    permutations: int = 1000,
    seed: int = 0,
    cache: MutableMapping[int, float] | None = None,
) -> SampledShapley:
    """Sampled Shapley value (eq. (11), Castro et al. 2009) with every needed coalition evaluated in one call.

    Args:
        players: Player names; bit i of a coalition is ``players[i]``.
        evaluate: Values of an int64 array of bitmasks, as a float array of the same length; called once,
            with the needed coalitions missing from ``cache`` (never with the empty coalition).
        permutations: Number m of sampled orders (at least 2).
        seed: Seed of the orders.
        cache: Known values by bitmask; the new ones are added, so a later call with more orders or another
            seed evaluates only the coalitions not seen yet.
    """
    orders = sampled_orders(len(players), permutations, seed)
    prefixes = prefix_coalitions(orders)
    values = cache if cache is not None else {}
    needed = needed_coalitions(prefixes, values)
    if needed.size:
        found = np.asarray(evaluate(needed), dtype=float)
        values.update(zip(needed.tolist(), found.tolist()))
    samples = marginal_contributions(orders, prefixes, values)
    names = list(players)
    return SampledShapley(
        value=pd.Series(samples.mean(axis=0), index=names, name="shapley"),
        standard_error=pd.Series(
            samples.std(axis=0, ddof=1) / np.sqrt(permutations), index=names, name="standard_error"
        ),
        permutations=permutations,
    )
