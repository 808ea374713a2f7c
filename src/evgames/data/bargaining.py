"""Input schema of the fixed-ratio asymmetric Nash bargaining model (seed 000, §2.4.1).

YAML contract::

    total_benefit: 1000        # V_m
    negotiation_cost: 100      # k
    normalise_powers: false    # optional: rescale powers to sum to 1
    players:
      - {name: car manufacturer, cost: 100, standalone: 180, power: 0.32}

:meth:`BargainingData.to_dict` writes this mapping back (powers as validated: rescaled if
``normalise_powers``); ``from_file`` reads YAML or JSON and ``to_yaml`` writes YAML (:mod:`evgames.data.files`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from evgames.data.files import DataFile
from evgames.data.validation import (
    DataError,
    require_fields,
    require_finite,
    require_list,
    require_nonnegative,
    require_unique,
    validated_powers,
)

__all__ = ["BargainingData", "BargainingPlayer"]


@dataclass(frozen=True)
class BargainingPlayer:
    """One participant of the alliance.

    Attributes:
        name: Player name (unique).
        cost: Investment cost, C_i in eq. (1).
        standalone: Profit when operating independently, G_i in eq. (2) (the disagreement point).
        power: Bargaining power (negotiation ability), γ_i in eq. (3).
    """

    name: str
    cost: float
    standalone: float
    power: float


@dataclass(frozen=True)
class BargainingData(DataFile):
    """Validated data of seed 000 eq. (1)–(9).

    Attributes:
        total_benefit: Overall benefit of the alliance, V_m in eq. (1).
        negotiation_cost: Total negotiation cost, k in eq. (1).
        players: The participants, at least two.
        normalise_powers: Rescale the powers to sum to 1 instead of rejecting them.
    """

    total_benefit: float
    negotiation_cost: float
    players: tuple[BargainingPlayer, ...]
    normalise_powers: bool = field(default=False)

    def __post_init__(self) -> None:
        require_finite("total_benefit", self.total_benefit)
        require_nonnegative("negotiation_cost", self.negotiation_cost)
        if len(self.players) < 2:
            raise DataError("players", len(self.players), "at least two players are needed to bargain")
        require_unique("players.name", (p.name for p in self.players))
        for position, player in enumerate(self.players):
            require_nonnegative(f"players[{position}].cost", player.cost)
            require_finite(f"players[{position}].standalone", player.standalone)
        powers = validated_powers("players", (p.power for p in self.players), self.normalise_powers)
        players = tuple(replace(p, power=power) for p, power in zip(self.players, powers))
        object.__setattr__(self, "players", players)
        if self.net_benefit <= 0:
            raise DataError(
                "negotiation_cost", self.negotiation_cost, f"leaves nothing to share: V_m - k = {self.net_benefit:g}"
            )
        if self.surplus <= 0:
            raise DataError(
                "total_benefit",
                self.total_benefit,
                f"no surplus to share: V_m - k = {self.net_benefit:g} does not exceed "
                f"the sum of costs and standalone profits {self.threshold_sum:g}",
            )

    @property
    def names(self) -> tuple[str, ...]:
        """Player names in input order."""
        return tuple(p.name for p in self.players)

    @property
    def net_benefit(self) -> float:
        """V_m - k, the benefit left to share after negotiation (eq. 1)."""
        return self.total_benefit - self.negotiation_cost

    @property
    def threshold_sum(self) -> float:
        """Σ (C_i + G_i), what the players need back before any surplus is shared."""
        return math.fsum(p.cost + p.standalone for p in self.players)

    @property
    def surplus(self) -> float:
        """V_m - k - Σ (C_i + G_i), the cooperative surplus that bargaining divides."""
        return self.net_benefit - self.threshold_sum

    def with_values(self, **changes: Any) -> BargainingData:
        """Return a copy with top-level fields changed (validated again)."""
        return replace(self, **changes)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> BargainingData:
        """Build from the YAML contract (see module docstring)."""
        require_fields("bargaining", record, ("total_benefit", "negotiation_cost", "players"), ("normalise_powers",))
        raw_players = require_list("players", record["players"], "{name, cost, standalone, power}")
        players = []
        for position, raw in enumerate(raw_players):
            require_fields(f"players[{position}]", raw, ("name", "cost", "standalone", "power"))
            players.append(
                BargainingPlayer(
                    name=str(raw["name"]),
                    cost=require_nonnegative(f"players[{position}].cost", raw["cost"]),
                    standalone=require_finite(f"players[{position}].standalone", raw["standalone"]),
                    power=require_finite(f"players[{position}].power", raw["power"]),
                )
            )
        normalise = record.get("normalise_powers", False)
        if not isinstance(normalise, bool):
            raise DataError("normalise_powers", normalise, "must be true or false")
        return cls(
            total_benefit=require_finite("total_benefit", record["total_benefit"]),
            negotiation_cost=require_nonnegative("negotiation_cost", record["negotiation_cost"]),
            players=tuple(players),
            normalise_powers=normalise,
        )

    def to_dict(self) -> dict[str, Any]:
        """The YAML contract (module docstring) as plain Python; :meth:`from_dict` reads it back unchanged."""
        return {
            "total_benefit": float(self.total_benefit),
            "negotiation_cost": float(self.negotiation_cost),
            "normalise_powers": bool(self.normalise_powers),
            "players": [
                {"name": p.name, "cost": float(p.cost), "standalone": float(p.standalone), "power": float(p.power)}
                for p in self.players
            ],
        }
