"""Transferable-utility games stored as a numpy array indexed by coalition bitmask.

Bit i of a mask is player i (in the order given); ``values[0]`` is v(∅) = 0. The YAML/dict form names
coalitions as comma-joined player names, e.g. ``{"A": 24, "A,B": 54, "A,B,C": 69}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evgames.data.validation import (
    DataError,
    load_mapping,
    require_finite,
    require_list,
    require_mapping,
    require_unique,
)

__all__ = ["MAX_PLAYERS", "TUGame", "coalition_sizes", "marginal_contributions", "require_tabulable", "split"]

#: Largest game stored exactly (2^25 float64 values = 256 MiB).
MAX_PLAYERS = 25


def require_tabulable(
    field: str, count: int, noun: str = "players", sampler: str = "evgames.games.shapley_sampled"
) -> None:
    """Raise :class:`DataError` unless ``count`` players fit an exact game (:data:`MAX_PLAYERS`).

    Called before anything allocates or enumerates the 2^n coalitions; the message points to ``sampler``.
    """
    if count > MAX_PLAYERS:
        raise DataError(
            field,
            count,
            f"{count} {noun} make 2^{count} coalitions; exact games take at most {MAX_PLAYERS} {noun} — "
            f"estimate the Shapley value by sampling instead ({sampler})",
        )


#: Slack for the structural checks (superadditive, convex, essential) on float data.
_TOLERANCE = 1e-9


def split(array: np.ndarray, player: int) -> np.ndarray:
    """View a bitmask-indexed array as (high bits, bit ``player``, low bits).

    ``split(a, i)[:, 0, :]`` holds the coalitions without i and ``[:, 1, :]`` the same coalitions with i,
    aligned; reductions over this view are contiguous, unlike gathers by index.
    """
    return array.reshape(-1, 2, 1 << player)


def coalition_sizes(n: int) -> np.ndarray:
    """|S| for every mask S of an n-player game."""
    return np.bitwise_count(np.arange(1 << n, dtype=np.uint64)).astype(np.int64)


def marginal_contributions(values: np.ndarray, player: int) -> np.ndarray:
    """v(S ∪ i) − v(S) for every S without i, in increasing mask order of S."""
    halves = split(values, player)
    return (halves[:, 1, :] - halves[:, 0, :]).ravel()


class TUGame:
    """A TU game v: 2^N → R with named players.

    Args:
        players: Player names (unique, without commas).
        values: Either a mapping from coalitions (comma-joined names, tuples or frozensets of names) to
            values, covering every non-empty coalition (∅ may be given as 0), or a bitmask-indexed
            array of length 2^n with ``values[0] == 0``.
    """

    def __init__(self, players: Sequence[str], values: Mapping[Any, float] | np.ndarray) -> None:
        names = require_unique("players", players)
        for position, name in enumerate(names):
            if "," in name:
                raise DataError(f"players[{position}]", name, "a player name may not contain a comma")
        if not names:
            raise DataError("players", [], "a game needs at least one player")
        require_tabulable("players", len(names))
        self.players: tuple[str, ...] = names
        self._index = {name: i for i, name in enumerate(names)}
        size = 1 << len(names)
        if isinstance(values, np.ndarray):
            array = np.asarray(values, dtype=float)
            if array.shape != (size,):
                raise DataError("values", array.shape, f"a bitmask array for {len(names)} players has length {size}")
        elif isinstance(values, Mapping):
            array = np.full(size, np.nan)
            array[0] = 0.0
            given: dict[int, str] = {}
            for key, value in values.items():
                if isinstance(key, str):
                    label = key
                elif isinstance(key, (tuple, frozenset, list)) and all(isinstance(m, str) for m in key):
                    label = ",".join(key)
                else:
                    raise DataError("values", key, "name each coalition by its players, comma-joined, e.g. 'A,B'")
                mask = self.mask(key)
                if mask in given:
                    raise DataError(f"values[{label!r}]", value, f"the coalition is also given as {given[mask]!r}")
                given[mask] = label
                array[mask] = require_finite(f"values[{label!r}]", value)
            missing = np.flatnonzero(np.isnan(array))
            if missing.size:
                raise DataError("values", self.label(int(missing[0])), f"{missing.size} coalition(s) have no value")
        else:
            raise DataError("values", type(values).__name__, "give a mapping of coalitions or a bitmask array")
        if not np.all(np.isfinite(array)):
            raise DataError("values", "non-finite entry", "every coalition value must be finite")
        if array[0] != 0:
            raise DataError("values[∅]", float(array[0]), "the empty coalition must have value 0")
        self.values: np.ndarray = array

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.players)

    def mask(self, coalition: str | Iterable[str]) -> int:
        """Bitmask of a coalition given as comma-joined names or an iterable of names."""
        members = [m.strip() for m in coalition.split(",")] if isinstance(coalition, str) else list(coalition)
        members = [m for m in members if m]
        mask = 0
        for member in members:
            if member not in self._index:
                raise DataError("coalition", member, f"unknown player; players are {list(self.players)}")
            bit = 1 << self._index[member]
            if mask & bit:
                raise DataError("coalition", member, "player listed twice in one coalition")
            mask |= bit
        return mask

    def label(self, mask: int) -> str:
        """Comma-joined names of the coalition ``mask`` (players in game order)."""
        return ",".join(name for i, name in enumerate(self.players) if mask >> i & 1)

    def value(self, coalition: str | Iterable[str]) -> float:
        """v(S)."""
        return float(self.values[self.mask(coalition)])

    @property
    def grand_value(self) -> float:
        """v(N)."""
        return float(self.values[-1])

    def coalition_sizes(self) -> np.ndarray:
        """|S| for every mask S."""
        return coalition_sizes(self.n)

    def coalition_sums(self, allocation: Sequence[float] | np.ndarray) -> np.ndarray:
        """x(S) = Σ_{i ∈ S} x_i for every mask S."""
        x = np.asarray(allocation, dtype=float)
        if x.shape != (self.n,):
            raise DataError("allocation", x.shape, f"needs one value per player ({self.n})")
        sums = np.zeros(self.values.size)
        for i in range(self.n):
            split(sums, i)[:, 1, :] += x[i]
        return sums

    @property
    def superadditive(self) -> bool:
        """v(S ∪ T) ≥ v(S) + v(T) for all disjoint S, T (checked pairwise, O(3^n))."""
        size = self.values.size
        for mask in range(1, size):
            sub = (mask - 1) & mask
            while sub:
                if self.values[mask] < self.values[sub] + self.values[mask ^ sub] - _TOLERANCE:
                    return False
                sub = (sub - 1) & mask
        return True

    @property
    def convex(self) -> bool:
        """Supermodular: every marginal contribution v(S ∪ i) − v(S) grows with S."""
        for i in range(self.n):
            marginal = marginal_contributions(self.values, i)  # indexed by masks without i
            for j in range(self.n - 1):
                halves = marginal.reshape(-1, 2, 1 << j)
                if np.any(halves[:, 1, :] < halves[:, 0, :] - _TOLERANCE):
                    return False
        return True

    @property
    def essential(self) -> bool:
        """v(N) > Σ v({i}): there is something to gain by cooperating."""
        return self.grand_value > sum(self.values[1 << i] for i in range(self.n)) + _TOLERANCE

    @property
    def core_nonempty(self) -> bool:
        """Some efficient allocation gives every coalition at least its value (least core ε ≤ 0, one LP)."""
        from evgames.games.nucleolus import least_core  # the LP lives there and imports this module

        return least_core(self, "preimputation").epsilon <= _TOLERANCE * max(1.0, abs(self.grand_value))

    @classmethod
    def from_callable(cls, players: Sequence[str], value: Callable[[frozenset[str]], float]) -> TUGame:
        """Tabulate v(S) = ``value(S)`` over every coalition (S is a frozenset of names)."""
        names = tuple(players)
        require_tabulable("players", len(names))
        values = np.zeros(1 << len(names))
        for mask in range(1, values.size):
            values[mask] = value(frozenset(name for i, name in enumerate(names) if mask >> i & 1))
        return cls(names, values)

    def to_dict(self) -> dict[str, float]:
        """Comma-joined coalition → value, ∅ left out."""
        return {self.label(mask): float(self.values[mask]) for mask in range(1, self.values.size)}

    @classmethod
    def from_mapping(cls, record: Mapping[str, Any]) -> TUGame:
        """Build from ``{players: [...], values: {...}}``."""
        if "players" not in record or "values" not in record:
            raise DataError("game", sorted(record), "needs 'players' and 'values'")
        players = require_list("players", record["players"], "player names")
        require_tabulable("players", len(players))
        return cls(players, require_mapping("values", record["values"], "coalitions ('A,B') to values"))

    @classmethod
    def from_yaml(cls, source: str | Path | Mapping[str, Any]) -> TUGame:
        """Load ``players`` and ``values`` from a YAML file."""
        return cls.from_mapping(load_mapping(source))

    def __repr__(self) -> str:
        return f"TUGame(players={list(self.players)!r}, v(N)={self.grand_value:g})"
