"""Correction factors that bend an allocation: AHP and entropy weights, modified Shapley, seed corrections.

* AHP weights — principal eigenvector of a pairwise comparison matrix, with Saaty's consistency index
  CI = (λ_max − n)/(n − 1) and ratio CR = CI/RI (seed 000 §2.4.2, seed 001 eq. (14)–(15)).
* Entropy weights — criteria that vary more across players weigh more (the objective alternative that
  seed 000's conclusion suggests).
* Modified Shapley φ'_i = φ_i + X (β_i − 1/n) with β = (factor matrix)·(weights) (seed 000 eq. (13),
  seed 001 eq. (16)); X is explicit: seed 000 uses V_m, seed 001's Table 5 the cooperative surplus.
* Seed 002's cost, risk and contribution corrections and their weighted combination (eq. (9)–(13)).
* Seed 004's fuzzy risk aggregation R_i = 1 − Π_k (1 − R_ik) (eq. 2) and proportional allocation (eq. 3–4).

AHPy and pymcdm implement AHP and entropy weights too; they are used as independent checks in the
tests, not at run time (AHPy rounds its weights to a fixed precision and takes comparisons as a dict of
pairs; pymcdm brings matplotlib, scipy and tabulate as dependencies for a few lines of numpy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evgames.data.validation import CORRECTION_SCALES, DataError

__all__ = [
    "RANDOM_INDEX",
    "AHPWeights",
    "ahp_weights",
    "combined_correction",
    "correction_weights",
    "entropy_weights",
    "factor_correction",
    "fuzzy_risk",
    "modified_shapley",
    "normalise_columns",
    "proportional_allocation",
]

#: Random consistency indices RI by matrix order: Saaty's 1980 table (the one most AHP applications,
#: the seed papers' sources among them, use) and the revised table of Saaty (2005, p. 31).
RANDOM_INDEX = {
    "saaty1980": {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49},
    "saaty2005": {
        1: 0.0,
        2: 0.0,
        3: 0.52,
        4: 0.89,
        5: 1.11,
        6: 1.25,
        7: 1.35,
        8: 1.40,
        9: 1.45,
        10: 1.49,
        11: 1.52,
        12: 1.54,
        13: 1.56,
        14: 1.58,
        15: 1.59,
    },
}

#: Saaty's threshold: a comparison matrix with CR above it is inconsistent.
CONSISTENCY_THRESHOLD = 0.1


@dataclass(frozen=True)
class AHPWeights:
    """AHP result: the weights and how consistent the judgements were.

    Attributes:
        weights: Principal eigenvector normalised to sum to 1.
        max_eigenvalue: λ_max.
        consistency_index: CI = (λ_max − n)/(n − 1).
        consistency_ratio: CR = CI / RI(n) (0 for n ≤ 2, where any reciprocal matrix is consistent).
    """

    weights: pd.Series
    max_eigenvalue: float
    consistency_index: float
    consistency_ratio: float


def ahp_weights(
    comparisons: Sequence[Sequence[float]] | np.ndarray,
    names: Sequence[str] | None = None,
    *,
    allow_inconsistent: bool = False,
    random_index: str = "saaty1980",
) -> AHPWeights:
    """Weights from a reciprocal pairwise comparison matrix a_ij (how much i matters more than j).

    Raises :class:`DataError` for a non-reciprocal or non-positive matrix, and for CR > 0.1 unless
    ``allow_inconsistent``. ``random_index`` names the RI table (see :data:`RANDOM_INDEX`).
    """
    if random_index not in RANDOM_INDEX:
        raise DataError("random_index", random_index, f"use one of {sorted(RANDOM_INDEX)}")
    table = RANDOM_INDEX[random_index]
    if not isinstance(comparisons, np.ndarray):
        rows = comparisons if isinstance(comparisons, (list, tuple)) else [comparisons]
        if any(isinstance(row, bool) or not isinstance(row, (list, tuple)) for row in rows) or any(
            isinstance(entry, bool) for row in rows for entry in row
        ):
            raise DataError("comparisons", comparisons, "must be a square matrix (a list of rows) of numbers")
    try:
        matrix = np.asarray(comparisons, dtype=float)
    except (TypeError, ValueError):
        raise DataError("comparisons", comparisons, "must be a square matrix (a list of rows) of numbers") from None
    n = matrix.shape[0]
    if matrix.ndim != 2 or matrix.shape != (n, n) or n < 1:
        raise DataError("comparisons", matrix.shape, "must be a square matrix")
    if n > max(table):
        raise DataError("comparisons", n, f"the {random_index} random index is tabulated up to order {max(table)}")
    if np.any(matrix <= 0) or not np.all(np.isfinite(matrix)):
        raise DataError("comparisons", matrix.tolist(), "entries must be positive and finite")
    if not np.allclose(matrix * matrix.T, 1.0, rtol=1e-6):
        raise DataError("comparisons", matrix.tolist(), "must be reciprocal: a_ji = 1/a_ij")
    eigenvalues, eigenvectors = np.linalg.eig(matrix)
    principal = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, principal].real)
    max_eigenvalue = float(eigenvalues[principal].real)
    index = (max_eigenvalue - n) / (n - 1) if n > 2 else 0.0
    ratio = index / table[n] if n > 2 else 0.0
    if ratio > CONSISTENCY_THRESHOLD and not allow_inconsistent:
        raise DataError(
            "comparisons",
            round(ratio, 4),
            "consistency ratio CR above 0.1: revise the judgements (or pass allow_inconsistent=True)",
        )
    labels = list(names) if names is not None else [f"criterion {i + 1}" for i in range(n)]
    return AHPWeights(
        weights=pd.Series(vector / vector.sum(), index=labels, name="ahp_weight"),
        max_eigenvalue=max_eigenvalue,
        consistency_index=index,
        consistency_ratio=ratio,
    )


def normalise_columns(matrix: pd.DataFrame) -> pd.DataFrame:
    """b_ij = p_ij / Σ_i p_ij: each factor's column sums to 1 over the players (seed 001 eq. (12))."""
    values = matrix.to_numpy(dtype=float)
    totals = values.sum(axis=0)
    if np.any(values < 0) or np.any(totals <= 0):
        raise DataError("factors", matrix.to_dict(), "factor scores must be non-negative with a positive column sum")
    return pd.DataFrame(values / totals, index=matrix.index, columns=matrix.columns)


def entropy_weights(matrix: pd.DataFrame) -> pd.Series:
    """Entropy weights of the columns: w_j = (1 − E_j)/Σ(1 − E_k), E_j = −Σ_i p_ij ln p_ij / ln m."""
    shares = normalise_columns(matrix).to_numpy()
    rows = shares.shape[0]
    if rows < 2:
        raise DataError("factors", rows, "entropy weights need at least two rows")
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(shares > 0, np.log(shares), 0.0)
    entropy = -(shares * logs).sum(axis=0) / np.log(rows)
    divergence = 1.0 - entropy
    if divergence.sum() <= 0:
        raise DataError("factors", matrix.to_dict(), "every column is uniform: entropy weights are undefined")
    return pd.Series(divergence / divergence.sum(), index=matrix.columns, name="entropy_weight")


def correction_weights(factors: pd.DataFrame, weights: Sequence[float] | pd.Series) -> pd.Series:
    """β = A λ: each player's weighted factor share (seed 000 after eq. (12), seed 001 eq. (15))."""
    weight_array = np.asarray(weights, dtype=float)
    if weight_array.shape != (factors.shape[1],):
        raise DataError("weights", weight_array.tolist(), f"need one weight per factor ({factors.shape[1]})")
    return pd.Series(factors.to_numpy(dtype=float) @ weight_array, index=factors.index, name="beta")


def correction_scale(grand_value: float, standalone_total: float, scale: str | float, field: str = "scale") -> float:
    """X of φ'_i = φ_i + X (β_i − 1/n): ``grand`` → v(N), ``surplus`` → v(N) − Σ v({i}), or a finite number."""
    if isinstance(scale, str):
        if scale == "grand":
            return grand_value
        if scale == "surplus":
            return grand_value - standalone_total
        raise DataError(field, scale, f"use {' or '.join(repr(word) for word in CORRECTION_SCALES)} or a number")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not np.isfinite(scale):
        raise DataError(field, scale, f"use {' or '.join(repr(word) for word in CORRECTION_SCALES)} or a finite number")
    return float(scale)


def modified_shapley(value: pd.Series, correction: pd.Series, scale: float) -> pd.Series:
    """φ'_i = φ_i + X (β_i − 1/n) (seed 000 eq. (13) with X = V_m; seed 001 eq. (16)).

    Args:
        value: The unmodified allocation φ (usually the Shapley value).
        correction: Comprehensive correction weights β, one per player.
        scale: X, the amount the deviation from equal weights applies to.
    """
    if list(correction.index) != list(value.index):
        raise DataError("correction", list(correction.index), f"must list the players {list(value.index)}")
    n = len(value)
    return (value + scale * (correction - 1.0 / n)).rename("modified_shapley")


def factor_correction(value: pd.Series, factor: pd.Series | Mapping[str, float], total: float) -> pd.Series:
    """V_i + (F_i/ΣF − 1/n)·V, the form shared by seed 002 eq. (9) (cost), (10) (risk) and (11) (demand).

    ``factor`` holds the raw amounts (costs C_i, risks R_i or demands D_i); shares are taken here.
    """
    given = pd.Series(factor, dtype=float)
    amounts = given.reindex(value.index)
    if amounts.isna().any() and not set(value.index) <= set(given.index):
        raise DataError("factor", dict(factor), f"needs a value for every player {list(value.index)}")
    if not np.all(np.isfinite(amounts)) or (amounts < 0).any() or amounts.sum() <= 0:
        raise DataError("factor", dict(factor), "amounts must be finite and non-negative, with a positive sum")
    return (value + (amounts / amounts.sum() - 1.0 / len(value)) * total).rename("factor_correction")


def combined_correction(corrections: Sequence[pd.Series], weights: Sequence[float]) -> pd.Series:
    """V*_i = λ V'_i + θ V''_i + μ V'''_i with λ + θ + μ = 1 (seed 002 eq. (12)–(13))."""
    if len(corrections) != len(weights):
        raise DataError("weights", list(weights), f"need one weight per correction ({len(corrections)})")
    if abs(sum(weights) - 1.0) > 1e-9 or min(weights) < 0:
        raise DataError("weights", list(weights), "must be non-negative and sum to 1 (eq. 13)")
    total = sum(weight * correction for weight, correction in zip(weights, corrections))
    return pd.Series(total, name="combined_correction")


def fuzzy_risk(risks: pd.DataFrame) -> pd.Series:
    """R_i = 1 − Π_k (1 − R_ik): total risk of independent risk categories (seed 004 eq. (2))."""
    values = risks.to_numpy(dtype=float)
    if np.any((values < 0) | (values > 1)):
        raise DataError("risks", risks.to_dict(), "each risk must lie in [0, 1]")
    return pd.Series(1.0 - np.prod(1.0 - values, axis=1), index=risks.index, name="risk")


def proportional_allocation(factor: pd.Series | Mapping[str, float], total: float) -> pd.Series:
    """x_i = F_i / ΣF · v(N): split the grand value in proportion to a factor (seed 004 eq. (3)–(4))."""
    amounts = pd.Series(factor, dtype=float)
    if not np.all(np.isfinite(amounts)) or (amounts < 0).any() or amounts.sum() <= 0:
        raise DataError("factor", amounts.to_dict(), "must be non-negative with a positive sum")
    return (amounts / amounts.sum() * total).rename("proportional")
