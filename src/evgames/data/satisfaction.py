"""Input schema of the constrained satisfaction Nash bargaining model (seed 000, §2.4.2 stage 2).

YAML contract::

    players:
      - name: car manufacturer
        power: 0.32                      # γ_i
        proposal: {car manufacturer: 0.37, facility manufacturer: 0.24, facility operator: 0.39}
      - ...
    current: {car manufacturer: 0.346, ...}   # optional: r_i before adjustment (eq. 18)
    adjustment: 0.7                           # optional: φ in eq. (18), required with ``current``

``proposal`` of player j is the plan Q_j = (q_j1, ..., q_jn) that j proposes for everybody.
:meth:`SatisfactionData.to_dict` writes this mapping back (``current`` and ``adjustment`` only when
given); ``from_file`` reads YAML or JSON and ``to_yaml`` writes YAML (:mod:`evgames.data.files`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from evgames.data.files import DataFile
from evgames.data.validation import (
    DataError,
    require_fields,
    require_finite,
    require_keys,
    require_list,
    require_unique,
    require_unit_interval,
    validated_powers,
)

__all__ = ["SHARE_SUM_TOLERANCE", "SatisfactionData", "SatisfactionPlayer"]

#: How far a distribution plan printed to a few decimals may sum from 1.
SHARE_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class SatisfactionPlayer:
    """One participant: its power γ_i and the plan Q_i it proposes (shares for every player)."""

    name: str
    power: float
    proposal: Mapping[str, float]


def _check_plan(field_name: str, plan: Mapping[str, Any], names: tuple[str, ...], open_interval: bool) -> None:
    require_keys(field_name, plan, names)
    for name in names:
        share = require_finite(f"{field_name}.{name}", plan[name])
        if open_interval and not 0.0 < share < 1.0:
            raise DataError(f"{field_name}.{name}", plan[name], "a proposed share must lie in (0, 1)")
        if not open_interval:
            require_unit_interval(f"{field_name}.{name}", share)
    total = math.fsum(float(plan[name]) for name in names)
    if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
        raise DataError(field_name, round(total, 12), "shares must sum to 1")


@dataclass(frozen=True)
class SatisfactionData(DataFile):
    """Validated data of seed 000 eq. (15)–(18).

    Attributes:
        players: Participants with powers γ_i and proposals Q_i.
        current: Current distribution coefficients r_i, adjusted by eq. (18); optional.
        adjustment: Influence of satisfaction φ ∈ [0, 1] in eq. (18); required with ``current``.
        normalise_powers: Rescale powers to sum to 1 instead of rejecting them.
    """

    players: tuple[SatisfactionPlayer, ...]
    current: Mapping[str, float] | None = None
    adjustment: float | None = None
    normalise_powers: bool = field(default=False)

    def __post_init__(self) -> None:
        if len(self.players) < 2:
            raise DataError("players", len(self.players), "at least two players are needed to bargain")
        names = require_unique("players.name", (p.name for p in self.players))
        powers = validated_powers("players", (p.power for p in self.players), self.normalise_powers)
        for position, player in enumerate(self.players):
            _check_plan(f"players[{position}].proposal", player.proposal, names, open_interval=True)
        players = tuple(
            replace(p, power=power, proposal={n: float(p.proposal[n]) for n in names})
            for p, power in zip(self.players, powers)
        )
        object.__setattr__(self, "players", players)
        if (self.current is None) != (self.adjustment is None):
            missing = "adjustment" if self.adjustment is None else "current"
            raise DataError(missing, None, "current and adjustment go together (eq. 18 needs both)")
        if self.current is not None:
            _check_plan("current", self.current, names, open_interval=False)
            object.__setattr__(self, "current", {n: float(self.current[n]) for n in names})
        if self.adjustment is not None:
            object.__setattr__(self, "adjustment", require_unit_interval("adjustment", self.adjustment))
        if float(np.sum(self.ideal - self.least)) <= SHARE_SUM_TOLERANCE:
            raise DataError("players.proposal", "identical plans", "all proposals agree: nothing to bargain over")

    @property
    def names(self) -> tuple[str, ...]:
        """Player names in input order."""
        return tuple(p.name for p in self.players)

    @property
    def powers(self) -> np.ndarray:
        """γ_i as an array in player order."""
        return np.array([p.power for p in self.players])

    @property
    def proposals(self) -> np.ndarray:
        """Matrix q with q[j, i] = share that player j proposes for player i."""
        return np.array([[p.proposal[name] for name in self.names] for p in self.players])

    @property
    def ideal(self) -> np.ndarray:
        """Q⁺: q_i⁺ = max_j q_ji, the most any proposal grants player i."""
        return self.proposals.max(axis=0)

    @property
    def least(self) -> np.ndarray:
        """Q⁻: q_i⁻ = min_j q_ji, the least any proposal grants player i."""
        return self.proposals.min(axis=0)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> SatisfactionData:
        """Build from the YAML contract (see module docstring)."""
        require_fields("satisfaction", record, ("players",), ("current", "adjustment", "normalise_powers"))
        raw_players = require_list("players", record["players"], "{name, power, proposal}")
        players = []
        for position, raw in enumerate(raw_players):
            require_fields(f"players[{position}]", raw, ("name", "power", "proposal"))
            if not isinstance(raw["proposal"], Mapping):
                raise DataError(f"players[{position}].proposal", raw["proposal"], "must map player names to shares")
            players.append(
                SatisfactionPlayer(
                    name=str(raw["name"]),
                    power=require_finite(f"players[{position}].power", raw["power"]),
                    proposal=dict(raw["proposal"]),
                )
            )
        normalise = record.get("normalise_powers", False)
        if not isinstance(normalise, bool):
            raise DataError("normalise_powers", normalise, "must be true or false")
        return cls(
            players=tuple(players),
            current=record.get("current"),
            adjustment=record.get("adjustment"),
            normalise_powers=normalise,
        )

    def to_dict(self) -> dict[str, Any]:
        """The YAML contract (module docstring) as plain Python; :meth:`from_dict` reads it back unchanged."""
        record: dict[str, Any] = {
            "players": [
                {
                    "name": p.name,
                    "power": float(p.power),
                    "proposal": {name: float(p.proposal[name]) for name in self.names},
                }
                for p in self.players
            ]
        }
        if self.current is not None:
            record["current"] = {name: float(self.current[name]) for name in self.names}
        if self.adjustment is not None:
            record["adjustment"] = float(self.adjustment)
        record["normalise_powers"] = bool(self.normalise_powers)
        return record
