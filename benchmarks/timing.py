"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/<script>.py``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_time(function: Callable[[Any], Any], argument: Any, repeats: int) -> tuple[float, Any]:
    """Median wall time of ``function(argument)`` over ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(argument)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
