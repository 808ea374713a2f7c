"""Transferable-utility games stored as a numpy array indexed by coalition bitmask.

Bit i of a mask is player i (in the order given); ``values[0]`` is v(∅) = 0. The YAML/dict form names
coalitions as comma-joined player names, e.g. ``{"A": 24, "A,B": 54, "A,B,C": 69}``; the classic games
(weighted voting, bankruptcy, airport, glove, apex, unanimity, majority) have constructors and YAML forms
of their own.

A game is a profit game v (the default: players share a gain) or a cost game c (``kind="cost"``: players
share a cost). Linear values (Shapley, Banzhaf, solidarity) read both alike; the core, least core and
nucleolus of a cost game are those of cost sharing — x(S) ≤ c(S), x_i ≤ c({i}) — which are the profit
game −c's with every allocation negated (:meth:`TUGame.profit_game`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from evgames.data.validation import (
    DataError,
    load_mapping,
    require_fields,
    require_finite,
    require_integer,
    require_keys,
    require_list,
    require_mapping,
    require_nonnegative,
    require_positive,
    require_unique,
)
from evgames.games.coalitions import (
    coalition_maxima,
    coalition_sizes,
    coalition_sums,
    marginal_contributions,
    split,
)

if TYPE_CHECKING:  # only annotations: the solution concepts import this module
    import pandas as pd

    from evgames.games.excess import LeastCore, Nucleolus

__all__ = [
    "GAME_FORMS",
    "KINDS",
    "MAX_PLAYERS",
    "TUGame",
    "coalition_sizes",
    "coalition_sums",
    "marginal_contributions",
    "require_tabulable",
    "split",
]

#: What the values of a game are: gains to share (``profit``) or costs to share (``cost``).
KINDS = ("profit", "cost")

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


#: Slack for the structural checks (superadditive, convex, essential) and for quotas on float weights.
_TOLERANCE = 1e-9

#: Amounts given per player: a mapping from name to number, or a sequence in the order of ``players``.
PlayerAmounts = Mapping[str, float] | Sequence[float] | np.ndarray


def _player_names(field: str, given: int | Sequence[str], prefix: str = "P") -> tuple[str, ...]:
    """Player names from a count (``prefix`` 1, 2, …) or a list of names, refused beyond :data:`MAX_PLAYERS`."""
    if isinstance(given, Real) and not isinstance(given, bool):  # numpy integers too
        count = require_integer(field, given, 1)
        require_tabulable(field, count)
        return tuple(f"{prefix}{i}" for i in range(1, count + 1))
    if isinstance(given, (str, Mapping)) or not isinstance(given, Sequence):
        raise DataError(field, given, "give a count of players or a list of their names")
    require_tabulable(field, len(given))
    return require_unique(field, require_list(field, list(given), "player names"))


def _amounts_by_player(
    field: str, amounts: PlayerAmounts, players: int | Sequence[str] | None, check: Callable[[str, Any], float]
) -> tuple[tuple[str, ...], np.ndarray]:
    """Names and amounts (each passed through ``check``) from a mapping, or a sequence with ``players``.

    A mapping sets the players in its own order unless ``players`` is given, which then fixes the order
    and must name the same players; a sequence without ``players`` names them P1, P2, ….
    """
    if isinstance(amounts, (Mapping, Sequence, np.ndarray)) and not isinstance(amounts, str) and len(amounts) == 0:
        raise DataError(field, amounts, "needs an amount for at least one player")
    if isinstance(amounts, Mapping):
        names = _player_names(field, list(amounts)) if players is None else _player_names("players", players)
        require_keys(field, amounts, names)
        labels = [f"{field}.{name}" for name in names]
        given = [amounts[name] for name in names]
    elif isinstance(amounts, (Sequence, np.ndarray)) and not isinstance(amounts, str):
        given = list(amounts)
        names = _player_names(field, len(given)) if players is None else _player_names("players", players)
        if len(names) != len(given):
            raise DataError(field, given, f"needs one amount per player ({len(names)})")
        labels = [f"{field}[{position}]" for position in range(len(given))]
    else:
        raise DataError(field, amounts, "give a mapping of player names to numbers, or a list with players=")
    return names, np.array([check(label, value) for label, value in zip(labels, given, strict=True)])


class TUGame:
    """A TU game v: 2^N → R with named players.

    Args:
        players: Player names (unique, without commas).
        values: Either a mapping from coalitions (comma-joined names, tuples or frozensets of names) to
            values, covering every non-empty coalition (∅ may be given as 0), or a bitmask-indexed
            array of length 2^n with ``values[0] == 0``.
        kind: ``"profit"`` (v(S) is what S can gain) or ``"cost"`` (c(S) is what S must pay); see the
            module docstring for how the solution concepts read a cost game.
    """

    def __init__(self, players: Sequence[str], values: Mapping[Any, float] | np.ndarray, kind: str = "profit") -> None:
        if kind not in KINDS:
            raise DataError("kind", kind, f"use one of {list(KINDS)}")
        self.kind: str = kind
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
        return coalition_sums(x)

    @property
    def sign(self) -> float:
        """+1 for a profit game, −1 for a cost game: ``sign · values`` are the gains to share."""
        return 1.0 if self.kind == "profit" else -1.0

    def profit_game(self) -> TUGame:
        """The game as gains: itself, or −c for a cost game c.

        The core, least core and (pre)nucleolus of a cost game c are those of −c with allocations negated:
        the excess x(S) − c(S) of cost sharing is the excess −c(S) − (−x)(S) of the profit game −c.
        """
        return self if self.kind == "profit" else TUGame(self.players, -self.values)

    @property
    def superadditive(self) -> bool:
        """v(S ∪ T) ≥ v(S) + v(T) for all disjoint S, T (checked pairwise, O(3^n)).

        A property of the values as numbers, whatever the kind: a cost game c is subadditive when −c is
        superadditive (``game.profit_game().superadditive``); likewise for :attr:`convex` (c concave).
        """
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
        """There is something to gain by cooperating: v(N) > Σ v({i}), or c(N) < Σ c({i}) for a cost game."""
        standalone = sum(self.values[1 << i] for i in range(self.n))
        return self.sign * (self.grand_value - standalone) > _TOLERANCE

    @property
    def scale(self) -> float:
        """max_S |v(S)| (1 for the zero game): the unit that tolerances on this game's values are relative to.

        A game stated in units of 1e-9 or of 1e9 is the same game; tolerances relative to max(1, |v(N)|) would
        treat the first as all ties.
        """
        largest = float(np.abs(self.values).max(initial=0.0))
        return largest if largest > 0 else 1.0

    @property
    def core_nonempty(self) -> bool:
        """Some efficient allocation gives every coalition at least its value (least core ε ≤ 0, one LP)."""
        from evgames.games.excess import least_core  # the LP needs highspy: imported when asked

        return least_core(self, "preimputation").epsilon <= _TOLERANCE * self.scale

    @classmethod
    def from_callable(
        cls, players: Sequence[str], value: Callable[[frozenset[str]], float], kind: str = "profit"
    ) -> TUGame:
        """Tabulate v(S) = ``value(S)`` over every coalition (S is a frozenset of names)."""
        names = tuple(players)
        require_tabulable("players", len(names))
        values = np.zeros(1 << len(names))
        for mask in range(1, values.size):
            values[mask] = value(frozenset(name for i, name in enumerate(names) if mask >> i & 1))
        return cls(names, values, kind)

    # ------------------------------------------------------------------------------------ classic games

    @classmethod
    def weighted_voting(
        cls, quota: float, weights: PlayerAmounts, players: int | Sequence[str] | None = None
    ) -> TUGame:
        """The weighted majority game [q; w_1, …, w_n]: v(S) = 1 if w(S) ≥ q, else 0.

        Its Shapley value is the Shapley–Shubik power index (Shapley & Shubik 1954). ``weights`` maps
        names to non-negative weights, or lists them in the order of ``players``; ``quota`` q > 0 is
        reached up to float rounding.
        """
        names, weight = _amounts_by_player("weights", weights, players, require_nonnegative)
        needed = require_positive("quota", quota)
        total = float(weight.sum())
        if needed > total * (1 + _TOLERANCE):
            raise DataError("quota", quota, f"exceeds the total weight {total:g}: no coalition wins")
        wins = coalition_sums(weight) >= needed - _TOLERANCE * max(1.0, needed)
        return cls(names, wins.astype(float))

    @classmethod
    def bankruptcy(cls, estate: float, claims: PlayerAmounts, players: int | Sequence[str] | None = None) -> TUGame:
        """The bankruptcy game of estate E and claims d (O'Neill 1982): v(S) = max(0, E − Σ_{i ∉ S} d_i).

        v(S) is what S is sure of once everyone else's claim is paid in full. Its nucleolus is the Talmud
        rule (Aumann & Maschler 1985). Needs 0 ≤ E ≤ Σ d_i.
        """
        names, claim = _amounts_by_player("claims", claims, players, require_nonnegative)
        available = require_nonnegative("estate", estate)
        total = float(claim.sum())
        if available > total:
            raise DataError("estate", estate, f"exceeds the total claim {total:g}: every claim can be paid")
        return cls(names, np.maximum(0.0, available - (total - coalition_sums(claim))))

    @classmethod
    def airport(cls, costs: PlayerAmounts, players: int | Sequence[str] | None = None) -> TUGame:
        """The airport cost game (Littlechild & Owen 1973): c(S) = max_{i ∈ S} c_i, a cost game.

        c_i is the cost of the runway player i needs; S needs the runway of its most demanding member.
        The Shapley value shares each increment of cost equally among the players who need it
        (Littlechild & Owen 1973); the nucleolus has the closed form of Littlechild (1974).
        """
        names, cost = _amounts_by_player("costs", costs, players, require_nonnegative)
        return cls(names, coalition_maxima(cost), kind="cost")

    @classmethod
    def glove(
        cls, left: int | Sequence[str], right: int | Sequence[str], players: Sequence[str] | None = None
    ) -> TUGame:
        """The glove market (Shapley & Shubik 1969): v(S) = min(|S ∩ L|, |S ∩ R|), the pairs S can make.

        ``left`` and ``right`` name the holders of one left or one right glove each, or count them (names
        L1, L2, … and R1, R2, …). ``players`` may fix the order of the players (left ones first by default).
        """
        holders = _player_names("left", left, "L"), _player_names("right", right, "R")
        both = set(holders[0]) & set(holders[1])
        if both:
            raise DataError("right", sorted(both)[0], "also holds a left glove; each player holds one glove")
        require_tabulable("players", len(holders[0]) + len(holders[1]))
        names = holders[0] + holders[1] if players is None else _player_names("players", players)
        if sorted(names) != sorted(holders[0] + holders[1]):
            raise DataError("players", list(names), "must list exactly the holders of the left and right gloves")
        is_left = np.array([name in holders[0] for name in names], dtype=float)
        return cls(names, np.minimum(coalition_sums(is_left), coalition_sums(1.0 - is_left)))

    @classmethod
    def apex(cls, n: int | Sequence[str]) -> TUGame:
        """The apex game: v(S) = 1 if S holds the apex (the first player) and another player, or all others.

        ``n`` counts the players (P1 is the apex) or names them, the apex first; n ≥ 3. Its Shapley value
        gives the apex (n − 2)/n and each other player 2/(n(n − 1)).
        """
        names = _player_names("n", n)
        if len(names) < 3:
            raise DataError("n", n, "an apex game needs at least 3 players")
        masks = np.arange(1 << len(names))
        with_apex = (masks & 1) == 1
        others = masks.size - 2  # the mask of every player but the apex
        wins = (with_apex & (coalition_sizes(len(names)) >= 2)) | (masks == others)
        return cls(names, wins.astype(float))

    @classmethod
    def unanimity(cls, players: int | Sequence[str], carrier: Sequence[str]) -> TUGame:
        """The unanimity game u_T: u_T(S) = 1 if S contains every member of the carrier T, else 0.

        These games are a basis of all games (Shapley 1953): v = Σ_T d(T) u_T with the Harsanyi dividends d,
        and the Shapley value of u_T is 1/|T| for each member of T.
        """
        names = _player_names("players", players)
        members = require_unique("carrier", require_list("carrier", carrier, "player names"))
        index = {name: i for i, name in enumerate(names)}
        for position, member in enumerate(members):
            if member not in index:
                raise DataError(f"carrier[{position}]", member, f"unknown player; players are {list(names)}")
        required = sum(1 << index[member] for member in members)
        masks = np.arange(1 << len(names))
        return cls(names, ((masks & required) == required).astype(float))

    @classmethod
    def majority(cls, n: int | Sequence[str], quota: int) -> TUGame:
        """The symmetric majority game: v(S) = 1 if |S| ≥ quota, else 0 (quota = n // 2 + 1: simple majority).

        ``n`` counts the players (P1, P2, …) or names them; 1 ≤ quota ≤ n.
        """
        names = _player_names("n", n)
        needed = require_integer("quota", quota, 1, len(names))
        return cls(names, (coalition_sizes(len(names)) >= needed).astype(float))

    # ---------------------------------------------------------------------------- solution concepts

    def shapley(self) -> pd.Series:
        """The Shapley value (:func:`evgames.games.shapley`)."""
        from evgames.games.shapley import shapley

        return shapley(self)

    def banzhaf(self) -> pd.Series:
        """The raw Banzhaf value (:func:`evgames.games.banzhaf`)."""
        from evgames.games.values import banzhaf

        return banzhaf(self)

    def normalised_banzhaf(self) -> pd.Series:
        """The Banzhaf value scaled to sum to v(N) (:func:`evgames.games.normalised_banzhaf`)."""
        from evgames.games.values import normalised_banzhaf

        return normalised_banzhaf(self)

    def solidarity(self) -> pd.Series:
        """The Nowak–Radzik solidarity value (:func:`evgames.games.solidarity`)."""
        from evgames.games.values import solidarity

        return solidarity(self)

    def nucleolus(self) -> Nucleolus:
        """The nucleolus over imputations (:func:`evgames.games.nucleolus`; one LP per excess level)."""
        from evgames.games.excess import nucleolus

        return nucleolus(self)

    def prenucleolus(self) -> Nucleolus:
        """The nucleolus over pre-imputations (:func:`evgames.games.prenucleolus`)."""
        from evgames.games.excess import prenucleolus

        return prenucleolus(self)

    def least_core(self, domain: str = "imputation") -> LeastCore:
        """The least core value ε and an allocation attaining it (:func:`evgames.games.least_core`)."""
        from evgames.games.excess import least_core

        return least_core(self, domain)

    def core_point(self) -> pd.Series | None:
        """An allocation in the core, or ``None`` when it is empty (:func:`evgames.games.core_point`)."""
        from evgames.games.excess import core_point

        return core_point(self)

    def in_core(self, allocation: pd.Series | Sequence[float] | np.ndarray, tolerance: float = 1e-9) -> bool:
        """Whether ``allocation`` lies in the core (:func:`evgames.games.in_core`)."""
        from evgames.games.excess import in_core

        return in_core(self, allocation, tolerance)

    def to_dict(self) -> dict[str, float]:
        """Comma-joined coalition → value, ∅ left out."""
        return {self.label(mask): float(self.values[mask]) for mask in range(1, self.values.size)}

    @classmethod
    def from_mapping(cls, record: Mapping[str, Any]) -> TUGame:
        """Build from ``players`` and exactly one form: ``values`` or a classic game's block.

        ``{players: [A, B], values: {A: 1, B: 2, "A,B": 4}, kind: cost}`` lists every coalition (``kind``
        optional, default ``profit``); ``{players: [...], weighted_voting: {quota: 39, weights: {...}}}``
        and the other blocks of :data:`GAME_FORMS` hold the arguments of the constructor of that name, with
        the file's ``players`` list passed on (it fixes the order, or names the players of a list of amounts).
        Other keys (``correction``, ``topsis``, …) are left to the caller.
        """
        forms = [form for form in ("values", *GAME_FORMS) if form in record]
        if len(forms) != 1:
            found = f"found {' and '.join(forms)}" if forms else "found none"
            known = ", ".join(("values", *GAME_FORMS))
            raise DataError("game", sorted(map(str, record)), f"give exactly one of {known} ({found})")
        form = forms[0]
        players = record.get("players")
        if players is not None:
            require_tabulable("players", len(require_list("players", players, "player names")))
            players = list(require_unique("players", players))
        kind = record.get("kind")
        if kind is not None and kind not in KINDS:
            raise DataError("kind", kind, f"use one of {list(KINDS)}")
        if form == "values":
            if players is None:
                raise DataError("players", None, "list the players whose coalitions 'values' names")
            values = require_mapping("values", record["values"], "coalitions ('A,B') to values")
            return cls(players, values, kind or "profit")
        game = _game_from_block(cls, form, record[form], players)
        if kind is not None and kind != game.kind:
            raise DataError("kind", kind, f"{form} games are {game.kind} games")
        return game

    @classmethod
    def from_yaml(cls, source: str | Path | Mapping[str, Any]) -> TUGame:
        """Load a game (``players`` and one form, see :meth:`from_mapping`) from a YAML file."""
        return cls.from_mapping(load_mapping(source))

    def __repr__(self) -> str:
        kind = "" if self.kind == "profit" else ", kind='cost'"
        return f"TUGame(players={list(self.players)!r}, v(N)={self.grand_value:g}{kind})"


@dataclass(frozen=True)
class GameForm:
    """A YAML block that builds a classic game by the :class:`TUGame` constructor of the same name.

    ``required`` and ``optional`` are the block's fields (the constructor's arguments); the file's
    ``players`` list fills the argument ``players_argument``, and must be given when ``needs_players``
    unless the block gives that argument itself.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    players_argument: str = "players"
    needs_players: bool = False


#: The classic games a YAML file may describe instead of listing coalition values.
GAME_FORMS: dict[str, GameForm] = {
    "weighted_voting": GameForm(("quota", "weights")),
    "bankruptcy": GameForm(("estate", "claims")),
    "airport": GameForm(("costs",)),
    "glove": GameForm(("left", "right")),
    "apex": GameForm((), ("n",), "n", needs_players=True),
    "unanimity": GameForm(("carrier",), needs_players=True),
    "majority": GameForm(("quota",), ("n",), "n", needs_players=True),
}


def _game_from_block(cls: type[TUGame], form: str, block: Any, players: list[str] | None) -> TUGame:
    """``cls.<form>(**block, players=...)``, with errors in the block's fields named ``form.field``."""
    spec = GAME_FORMS[form]
    require_fields(form, block, spec.required, spec.optional)
    arguments = dict(block)
    if players is not None:
        if spec.players_argument in block:
            raise DataError(
                f"{form}.{spec.players_argument}", block[spec.players_argument], "give it or players, not both"
            )
        arguments[spec.players_argument] = players
    elif spec.needs_players and spec.players_argument not in block:
        alternative = f" (or {form}.{spec.players_argument})" if spec.players_argument in spec.optional else ""
        raise DataError("players", None, f"the {form} form needs the list of players{alternative}")
    try:
        return getattr(cls, form)(**arguments)
    except DataError as error:
        root = error.field.split(".")[0].split("[")[0]
        rest = error.field[len(root) :]
        if root in block:
            raise DataError(f"{form}.{error.field}", error.value, error.problem) from None
        if players is not None and root == spec.players_argument:
            raise DataError(f"players{rest}", error.value, error.problem) from None
        raise
