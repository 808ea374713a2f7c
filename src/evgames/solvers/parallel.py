"""Worker processes that are safe to start after a solver has run in this process.

HiGHS (like most native solvers) starts threads on its first solve. A process pool that then forks
copies the parent with those threads' locks held and no threads to release them, and its workers can
hang for ever. Workers are therefore started by a fork server (a fresh interpreter, forked from before
any solver ran) where the platform has one, and spawned otherwise; Pyomo is not thread-safe either, so
parallel work is by process, with each worker building its own model and sending back plain numbers.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

__all__ = ["START_METHOD", "process_pool"]

#: How worker processes start: never "fork" (see the module docstring).
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def process_pool(workers: int, preload: Sequence[str] = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes started safely; ``preload`` names modules the fork server imports once.

    With a fork server the solver stack is imported once, in the server, instead of once per worker.
    """
    if workers < 1:
        raise ValueError(f"workers = {workers}: must be at least 1")
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver" and preload:
        context.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)
