"""Vehicles in use n_r(t) of seed 003's eq. (11): how many shared trips are under way in each minute.

Trip n occupies whole minutes ⌊start⌋ … ⌊start⌋ + ⌈duration⌉ − 1 (at least one, at most a day), taken
modulo the day (:func:`occupied_minutes`). The fleet-in-use limit asks the largest count over the day to
stay within 0.95 m (:func:`~evgames.models.subsidy_pricing.economics.in_use_limit`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["MINUTES", "InUse", "occupied_minutes", "vehicles_in_use"]

#: Minutes of a day.
MINUTES = 1440


def occupied_minutes(trips: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per trip, the first minute of the day it occupies a vehicle and how many minutes (1 … a day)."""
    begin = np.floor(trips["start_min"].to_numpy(dtype=float)).astype(int) % MINUTES
    length = np.ceil(trips["duration_min"].to_numpy(dtype=float)).astype(int).clip(1, MINUTES)
    return begin, length


def vehicles_in_use(trips: pd.DataFrame, shared: np.ndarray) -> int:
    """Largest number of shared trips under way in any minute of the day; trips wrap past midnight."""
    return int(InUse(trips).peaks(shared))


class InUse:
    """Vehicles in use of eq. (11) for any sets of the same trips.

    Each trip adds +1 to the change in use at its first minute and −1 after its last; a trip past
    midnight also adds +1 at minute 0. The number under way is the running sum of the changes, so for many
    sets at once it is one sparse (minutes × trips) product.
    """

    MINUTES = MINUTES

    def __init__(self, trips: pd.DataFrame) -> None:
        begin, length = occupied_minutes(trips)
        end = begin + length
        wraps = np.flatnonzero(end > MINUTES)
        every = np.arange(len(begin))
        midnight = np.zeros(wraps.size, dtype=int)
        self.minute = np.concatenate([begin, np.minimum(end, MINUTES), midnight, end[wraps] - MINUTES])
        self.trip = np.concatenate([every, every, wraps, wraps])
        self.change = np.repeat([1.0, -1.0, 1.0, -1.0], [every.size, every.size, wraps.size, wraps.size])
        self._matrix: sparse.csr_array | None = None

    def peaks(self, shared: np.ndarray) -> np.ndarray:
        """The largest number under way of one set (a vector over trips) or of each column of a matrix."""
        shared = np.asarray(shared, dtype=bool)
        if shared.ndim == 1:
            counted = shared[self.trip]
            changes = np.bincount(self.minute[counted], weights=self.change[counted], minlength=MINUTES + 1)
            return np.cumsum(changes[:MINUTES]).max(initial=0).round().astype(int)
        changes = self._changes(shared)
        peak = np.zeros(shared.shape[1], dtype=np.float32)
        if shared.shape[1] < 512:  # a running sum down the minutes, in blocks of sets that stay in cache
            for start in range(0, shared.shape[1], 128):
                block = np.cumsum(changes[:MINUTES, start : start + 128], axis=0)
                peak[start : start + 128] = block.max(axis=0, initial=0)
        else:  # row by row in place: for many sets ten times faster than one cumsum
            under_way = np.zeros(shared.shape[1], dtype=np.float32)
            for minute in changes[:MINUTES]:
                under_way += minute
                np.maximum(peak, under_way, out=peak)
        return peak.round().astype(int)

    def peaks_and_minutes(self, shared: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The largest number under way of each column of ``shared`` and the first minute it is reached."""
        shared = np.asarray(shared, dtype=bool).reshape(shared.shape[0], -1)
        peak, minute = np.zeros(shared.shape[1], dtype=int), np.zeros(shared.shape[1], dtype=int)
        for start in range(0, shared.shape[1], 128):  # blocks of sets that stay in cache
            under_way = np.cumsum(self._changes(shared[:, start : start + 128])[:MINUTES], axis=0)
            minute[start : start + 128] = under_way.argmax(axis=0)
            peak[start : start + 128] = under_way.max(axis=0, initial=0).round()
        return peak, minute

    def _changes(self, shared: np.ndarray) -> np.ndarray:
        """Changes in use per minute (minutes + 1 rows) of each column of a boolean matrix of sets."""
        if self._matrix is None:
            self._matrix = sparse.csr_array(
                (self.change.astype(np.float32), (self.minute, self.trip)), shape=(MINUTES + 1, shared.shape[0])
            )
        return self._matrix @ shared.view(np.uint8).astype(np.float32)  # bytes convert faster than booleans
