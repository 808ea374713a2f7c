"""Which coalitions' incidence vectors lie in the span of a growing set of 0/1 vectors, decided exactly.

The nucleolus sequence (Maschler, Peleg & Shapley 1979) fixes the excess of the coalitions it settles; a
coalition whose incidence vector 1_S is a linear combination of theirs (and of 1_N, whose sum is fixed by
efficiency) then has the same excess everywhere on the remaining feasible set, so it can leave the LPs.
Dropping a coalition that is *not* in the span would change the nucleolus, so the test is exact:

* a floating-point filter keeps, over all 2^n masks at once, the squared distance of 1_S from the span:
  |S| − Σ_j b_j(S)² for an orthonormal basis b_1, b_2, … grown by Gram–Schmidt, where b_j(S) is a
  coalition sum (:func:`~evgames.games.coalitions.coalition_sums`: one pass over 2^n entries per basis
  vector, no 2^n × n incidence matrix);
* the masks the filter passes are confirmed in integers: 1_S is in the span iff z · 1_S = 0 for every row z
  of an integer basis of the orthogonal complement, kept exact as vectors are added (fraction-free
  elimination, each row divided by the greatest common divisor of its entries; int64 while no product can
  overflow, Python integers beyond). Whether an added vector enlarges the span is decided by the same
  integers, so the rank is never a matter of a tolerance.

A filter that errs costs nothing but time: a member it misses stays in the LPs (and is settled by one), and
a non-member it passes is rejected by the integers.
"""

from __future__ import annotations

import math

import numpy as np

from evgames.games.coalitions import coalition_sizes, coalition_sums, incidence_rows

__all__ = ["CoalitionSpan"]

#: Squared distance below which the floating-point filter sends a mask to the exact test. Members are at
#: about 1e-13 (rounding); anything the filter passes wrongly is rejected by the integers.
_FILTER = 1e-6

#: Largest integer a float64 holds exactly: below it, the integer test may run as a float matrix product.
_EXACT_FLOAT = 2.0**53


def _primitive_rows(rows: np.ndarray) -> np.ndarray:
    """Integer rows, each divided by the greatest common divisor of its entries."""
    if rows.dtype == object:
        divisors = np.array([max(1, math.gcd(*(int(entry) for entry in row))) for row in rows], dtype=object)
    else:
        divisors = np.maximum(np.gcd.reduce(rows, axis=1), 1)
    return rows // divisors[:, None]


class CoalitionSpan:
    """The span of 1_N and of the incidence vectors (and unit vectors) added so far, for an n-player game."""

    def __init__(self, n: int) -> None:
        self.n = n
        # Complement of span{1_N}: e_i − e_{n−1}, i < n − 1. Kept in int64 while no product can overflow, then in
        # Python integers (object dtype), which never do (:meth:`_narrowest`).
        complement = np.eye(n - 1, n, dtype=np.int64)
        complement[:, n - 1] = -1
        self._complement = complement
        self._basis = np.full((1, n), 1.0 / math.sqrt(n))  # orthonormal rows
        sizes = coalition_sizes(n, np.float64)
        self._distance = sizes - sizes**2 / n  # squared distance of each 1_S from the span

    @property
    def rank(self) -> int:
        """Dimension of the span."""
        return self.n - len(self._complement)

    @property
    def full(self) -> bool:
        """The span is all of R^n: every coalition's excess is fixed."""
        return len(self._complement) == 0

    def add(self, vectors: np.ndarray) -> int:
        """Add the rows of ``vectors`` (0/1 or integer, one per row); how many enlarged the span."""
        grown = 0
        for vector in np.asarray(vectors, dtype=np.int64):
            weights = self._complement @ vector.astype(self._complement.dtype)
            nonzero = np.flatnonzero(weights != 0)
            if nonzero.size == 0:
                continue  # already in the span
            # Eliminate the complement row with the smallest weight from the others: z_k ← w_p z_k − w_k z_p keeps
            # them orthogonal to all added so far and makes them orthogonal to the vector too.
            pivot = nonzero[np.argmin(np.abs(weights[nonzero]))]
            combined = weights[pivot] * self._complement - np.outer(weights, self._complement[pivot])
            self._complement = self._narrowest(_primitive_rows(np.delete(combined, pivot, axis=0)))
            self._extend_basis(vector.astype(float))
            grown += 1
        return grown

    def _narrowest(self, complement: np.ndarray) -> np.ndarray:
        """``complement`` as int64 while the next update cannot overflow (|w z| < 2^62), else as Python integers."""
        largest = int(np.abs(complement).max(initial=0))
        safe = (largest * self.n) * largest * 2 < 2**62
        return complement.astype(np.int64 if safe else object)

    def _extend_basis(self, vector: np.ndarray) -> None:
        """Gram–Schmidt twice (for orthogonality to rounding) and update every mask's squared distance."""
        residual = vector - self._basis.T @ (self._basis @ vector)
        residual -= self._basis.T @ (self._basis @ residual)
        direction = residual / np.linalg.norm(residual)
        self._basis = np.vstack([self._basis, direction])
        self._distance -= coalition_sums(direction) ** 2

    def contains(self, masks: np.ndarray) -> np.ndarray:
        """Whether each 1_S, S in ``masks``, is in the span — exactly (module docstring)."""
        masks = np.asarray(masks, dtype=np.int64)
        if self.full:
            return np.ones(masks.size, dtype=bool)
        candidates = np.flatnonzero(self._distance[masks] < _FILTER)
        inside = np.zeros(masks.size, dtype=bool)
        if candidates.size == 0:
            return inside
        incidence = incidence_rows(masks[candidates], self.n)
        largest = int(np.abs(self._complement).max())
        if largest * self.n < _EXACT_FLOAT:  # integer sums held exactly by float64: one BLAS product
            products = incidence.astype(float) @ self._complement.astype(float).T
        else:
            products = incidence.astype(object) @ self._complement.T
        inside[candidates] = ~np.any(products != 0, axis=1)
        return inside
