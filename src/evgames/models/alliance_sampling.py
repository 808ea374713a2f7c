"""The sampled Shapley value of seed 001 eq. (11) from coalitions evaluated lazily, all at once, on any evaluator.

Eq. (11) averages each player's marginal contribution v(S ∪ {i}) − v(S) over all n! orders in which the
players may join. Castro, Gómez & Tejada (2009) estimate it from m orders drawn uniformly: in each order,
player i's sample is its marginal contribution to the players before it; the estimate is the mean of the m
samples and its standard error their standard deviation (ddof = 1) over √m.

:func:`evgames.games.shapley_sampled` evaluates v inside that loop, one coalition after another. Here the
m orders are drawn first, with the same generator and in the same sequence, so that a seed gives the same
orders; the coalitions they need (the prefixes of each order) are collected and deduplicated; the caller's
``evaluate`` computes those not already cached in one call, which can spread them over an executor; then
the marginal contributions are assembled. The estimate equals ``shapley_sampled``'s bit for bit when the
values are the same.

Coalitions are bitmasks (bit i = the i-th player) in int64 arrays, so at most :data:`MAX_SAMPLED_PLAYERS`.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence

import numpy as np
import pandas as pd

from evgames.data.validation import DataError
from evgames.games import SampledShapley

__all__ = [
    "MAX_SAMPLED_PLAYERS",
    "lazy_sampled_shapley",
    "marginal_contributions",
    "needed_coalitions",
    "prefix_coalitions",
    "sampled_orders",
]

#: Bits an int64 bitmask holds without reaching the sign bit.
MAX_SAMPLED_PLAYERS = 62


def sampled_orders(players: int, permutations: int, seed: int) -> np.ndarray:
    """The ``permutations`` × ``players`` joining orders, drawn as :func:`evgames.games.shapley_sampled` draws them.

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
    """Samples: row r, column i holds v(prefix up to i) − v(prefix before i) in order r (v(∅) = 0).

    Computed as ``current - previous`` on the same floats as :func:`evgames.games.shapley_sampled`.
    """
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
        seed: Seed of the orders (the same orders as :func:`evgames.games.shapley_sampled` for that seed).
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
