"""TU games and allocation rules (numpy; the nucleolus and core LPs are Pyomo models solved by HiGHS)."""

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

__all__ = [
    "AHPWeights",
    "SampledShapley",
    "TUGame",
    "TopsisResult",
    "ahp_weights",
    "banzhaf",
    "combined_correction",
    "correction_weights",
    "entropy_weights",
    "equal_division",
    "factor_correction",
    "fuzzy_risk",
    "harsanyi_dividends",
    "modified_shapley",
    "normalise_columns",
    "normalised_banzhaf",
    "proportional_allocation",
    "shapley",
    "shapley_sampled",
    "solidarity",
    "topsis",
]
