"""TU games and allocation rules (numpy; the nucleolus and core LPs are highspy LPs held as arrays).

``from evgames.games import shapley, banzhaf, solidarity, nucleolus, prenucleolus, least_core, core_point,
in_core`` gives the functions, and ``game.shapley()``, ``game.nucleolus()``, … call the same ones. The LP-based
concepts (:mod:`evgames.games.excess`) are imported on first use, so that ``import evgames.games`` loads no
solver stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evgames.games.corrections import (
    AHPWeights,
    ahp_weights,
    combined_correction,
    correction_weights,
    entropy_weights,
    factor_correction,
    fuzzy_risk,
    modified_shapley,
    normalise_columns,
    proportional_allocation,
)
from evgames.games.shapley import SampledShapley, shapley, shapley_sampled
from evgames.games.topsis import TopsisResult, topsis
from evgames.games.tu import TUGame
from evgames.games.values import banzhaf, equal_division, harsanyi_dividends, normalised_banzhaf, solidarity
from evgames.lazy import lazy_attributes

if TYPE_CHECKING:
    from evgames.games.excess import (
        LeastCore,
        Nucleolus,
        allocation_checks,
        core_point,
        in_core,
        least_core,
        nucleolus,
        prenucleolus,
    )

#: The LP-based solution concepts, imported from :mod:`evgames.games.excess` on first use (PEP 562).
_LAZY = (
    "LeastCore",
    "Nucleolus",
    "allocation_checks",
    "core_point",
    "in_core",
    "least_core",
    "nucleolus",
    "prenucleolus",
)

__all__ = [
    "AHPWeights",
    "LeastCore",
    "Nucleolus",
    "SampledShapley",
    "TUGame",
    "TopsisResult",
    "ahp_weights",
    "allocation_checks",
    "banzhaf",
    "combined_correction",
    "core_point",
    "correction_weights",
    "entropy_weights",
    "equal_division",
    "factor_correction",
    "fuzzy_risk",
    "harsanyi_dividends",
    "in_core",
    "least_core",
    "modified_shapley",
    "normalise_columns",
    "normalised_banzhaf",
    "nucleolus",
    "prenucleolus",
    "proportional_allocation",
    "shapley",
    "shapley_sampled",
    "solidarity",
    "topsis",
]


__getattr__ = lazy_attributes(__name__, dict.fromkeys(_LAZY, "evgames.games.excess"))
