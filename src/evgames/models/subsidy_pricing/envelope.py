"""The operator's value on a strip of σ as the upper envelope of one line in ρ per trip count (seed 003).

On a strip every fleet m_K is fixed (:mod:`~evgames.models.subsidy_pricing.subsidy_plane`), so the
operator's value of responding with K trips is the line A_K + m_K ρ, A_K = R_K + m_K w0 (R_K its fare
revenue part, w0 = k1 − c the margin per vehicle without subsidies), and its best response is the upper
envelope of those lines: a few intervals of ρ, each with one response K.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["Piece", "crossing", "envelope", "needed_revenue"]


class Piece(NamedTuple):
    """One interval of the envelope: the line (its position), its slope m_K and intercept A_K, and ρ from/to."""

    line: int
    slope: float
    intercept: float
    start: float
    end: float


def crossing(lower: tuple[int, float, float], higher: tuple[int, float, float]) -> float:
    """ρ where the line (index, slope, intercept) with the higher slope overtakes the other."""
    return (lower[2] - higher[2]) / (higher[1] - lower[1])


def envelope(revenues: np.ndarray, fleets: np.ndarray, margin: float, low: float, high: float) -> list[Piece]:
    """The pieces of the upper envelope of the lines (R_K + m_K w0) + m_K ρ that meet [low, high]."""
    intercepts = revenues + fleets * margin
    usable = _contenders(intercepts, fleets, np.flatnonzero(np.isfinite(intercepts)), low, high)
    order = usable[np.lexsort((-intercepts[usable], fleets[usable]))]  # by slope, best intercept first
    first = np.r_[True, fleets[order][1:] != fleets[order][:-1]]
    lines = order[first]
    # Python floats: the hull walks one line at a time, where numpy scalars cost more than the arithmetic
    hull: list[tuple[int, float, float]] = []  # (line, slope m_K, intercept A_K)
    for line, slope, intercept in zip(lines.tolist(), fleets[lines].tolist(), intercepts[lines].tolist()):
        while len(hull) >= 2 and crossing(hull[-2], (line, slope, intercept)) <= crossing(hull[-2], hull[-1]):
            hull.pop()  # slopes increase: the classic upper hull of lines
        hull.append((line, slope, intercept))
    pieces = []
    for position, (line, slope, intercept) in enumerate(hull):
        start = crossing(hull[position - 1], hull[position]) if position else -math.inf
        end = crossing(hull[position], hull[position + 1]) if position + 1 < len(hull) else math.inf
        if end < low or start > high or end < start:
            continue
        pieces.append(Piece(line, slope, intercept, start, end))
    return pieces


def _contenders(intercepts: np.ndarray, slopes: np.ndarray, lines: np.ndarray, low: float, high: float) -> np.ndarray:
    """The lines that may reach the envelope somewhere in [low, high]: the others lie below one line throughout.

    A line below the highest line at ``low``, or the highest at ``high``, at both ends lies below it on the
    whole interval (both are straight), so it is on no piece meeting [low, high]; dropping it changes no such
    piece, only where pieces outside begin or end. "Below" means by more than a rounding error, so that a
    line the hull would keep for a sliver of float noise is kept too. A strip has hundreds of counts and an
    envelope of a few: the hull then walks a few lines instead of hundreds.
    """
    if lines.size < 8 or not (np.isfinite(low) and np.isfinite(high)):
        return lines
    at_low = intercepts[lines] + slopes[lines] * low
    at_high = intercepts[lines] + slopes[lines] * high
    margin = 1e-9 * max(1.0, float(np.abs(at_low).max()), float(np.abs(at_high).max()))
    below = np.zeros(lines.size, dtype=bool)
    for rival in (int(np.argmax(at_low)), int(np.argmax(at_high))):
        below |= (at_low < at_low[rival] - margin) & (at_high < at_high[rival] - margin)
    return lines[~below]


def needed_revenue(known: np.ndarray, fleets: np.ndarray, margin: float, low: float, high: float) -> np.ndarray:
    """Per count, a revenue below which it cannot be a response with U_O > 0 anywhere in ρ ∈ [low, high].

    The least, over ρ, of max(envelope of the counts known exactly, 0) − m_K (w0 + ρ): that function is
    convex, so its least value is at an end, at a breakpoint of the envelope, or where the envelope
    crosses 0 (eq. (12)). Without that last kink the answer can be too high: a count on the envelope there
    would be neither walked nor set aside (issue #11). Leaving out the counts known only by a bound
    (−inf in ``known``) can only lower the answer, so it is safe and does not move when their bounds
    fall. A hair below is returned: cells not listed then fall strictly below.
    """
    points = [low, high]
    for _, slope, intercept, start, end in envelope(known, fleets, margin, low, high):
        zero = -intercept / slope if slope > 0 else math.nan
        points += [value for value in (start, end, zero) if low < value < high]
    rho = np.array(points)
    intercepts = known + fleets * margin
    usable = np.isfinite(intercepts)
    ceiling = np.zeros(rho.size)
    if usable.any():
        ceiling = np.maximum(ceiling, (intercepts[usable, None] + fleets[usable, None] * rho).max(axis=0))
    needed = (ceiling - fleets[:, None] * (margin + rho)).min(axis=1)
    return needed - 1e-9 * np.maximum(1.0, np.abs(needed))
