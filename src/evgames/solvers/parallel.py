"""Worker processes that are safe to start after a solver has run in this process, and chunks of work run on them.

HiGHS (like most native solvers) starts threads on its first solve. A process pool that then forks
copies the parent with those threads' locks held and no threads to release them, and its workers can
hang for ever. Workers are therefore started by a fork server (a fresh interpreter, forked from before
any solver ran) where the platform has one, and spawned otherwise; Pyomo is not thread-safe either, so
parallel work is by process, with each worker building its own model and sending back plain numbers.

:func:`run_chunks` runs a function over chunks of work on any ``concurrent.futures.Executor`` (a Dask
``Client`` is taken as its ``get_executor()``), on a pool of its own beside this process, or in this process.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Sequence, Sized
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from tqdm.auto import tqdm

from evgames.solvers.errors import SolverError

__all__ = ["POOL_AFTER_SECONDS", "START_METHOD", "as_executor", "process_pool", "run_chunks"]

#: How worker processes start: never "fork" (see the module docstring).
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"

Chunk = TypeVar("Chunk", bound=Sized)
Result = TypeVar("Result")


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


def as_executor(executor: Any) -> Executor | None:
    """``executor`` as a ``concurrent.futures.Executor``: a Dask ``Client`` becomes its ``get_executor()``.

    Recognised by that method alone, so that Dask is never imported here.
    """
    if executor is not None and not isinstance(executor, Executor) and hasattr(executor, "get_executor"):
        return executor.get_executor()
    return executor


#: Work, in seconds of this process, below which no pool is started: a worker's start (a fresh interpreter that
#: imports the caller's main module and the solver stack) takes about that long, more on a loaded machine.
POOL_AFTER_SECONDS = 3.0

#: Chunks a pool worker holds at once beside this process: one running and one queued, so that it never waits
#: for this process to finish a chunk of its own before it gets the next.
IN_FLIGHT_PER_WORKER = 2


def _collected(future: Future[Result]) -> Result:
    """A chunk's result, with a broken pool said as what usually causes it."""
    try:
        return future.result()
    except BrokenProcessPool:
        raise SolverError(
            "the worker processes could not start or died; a script that asks for workers > 1 must run "
            'its top level under `if __name__ == "__main__":` (workers start as fresh interpreters)'
        ) from None


def _on_executor(function: Callable[[Chunk], Result], chunks: Sequence[Chunk], pool: Executor, bar: Any) -> list:
    """Every chunk on the caller's executor; after a failure, the chunks not yet started are dropped."""
    results: list[Result | None] = [None] * len(chunks)
    futures = {pool.submit(function, chunk): index for index, chunk in enumerate(chunks)}
    try:
        for future in as_completed(futures):
            results[futures[future]] = _collected(future)
            bar.update(len(chunks[futures[future]]))
    finally:
        for future in futures:
            future.cancel()
    return results


def _beside_a_pool(
    function: Callable[[Chunk], Result],
    chunks: Sequence[Chunk],
    helpers: int,
    preload: Sequence[str],
    bar: Any,
    pool_after: float,
) -> list:
    """Chunks from the front to a pool of ``helpers`` processes, and from the back to this process.

    A worker's start imports the caller's main module again (seconds for a script that imports the models),
    so this process solves the last chunk first, and starts the pool only when the others would take it more
    than ``pool_after`` seconds at that pace; then it keeps working while the workers start.
    """
    results: list[Result | None] = [None] * len(chunks)
    pending = deque(range(len(chunks)))
    running: dict[Future[Result], int] = {}
    start = time.perf_counter()
    index = pending.pop()
    results[index] = function(chunks[index])
    bar.update(len(chunks[index]))
    if (time.perf_counter() - start) * len(pending) <= pool_after:
        for index in reversed(pending):
            results[index] = function(chunks[index])
            bar.update(len(chunks[index]))
        return results
    pool = process_pool(helpers, preload)
    try:
        while pending or running:
            for future in [future for future in running if future.done()]:
                index = running.pop(future)
                results[index] = _collected(future)
                bar.update(len(chunks[index]))
            while pending and len(running) < IN_FLIGHT_PER_WORKER * helpers:
                index = pending.popleft()
                running[pool.submit(function, chunks[index])] = index
            if pending:
                index = pending.pop()
                results[index] = function(chunks[index])
                bar.update(len(chunks[index]))
            elif running:
                wait(running, return_when=FIRST_COMPLETED)
    finally:
        pool.shutdown(cancel_futures=True)
    return results


def run_chunks(
    function: Callable[[Chunk], Result],
    chunks: Sequence[Chunk],
    *,
    workers: int = 1,
    executor: Any = None,
    preload: Sequence[str] = (),
    progress: bool = False,
    description: str = "chunks",
    unit: str = "it",
    pool_after: float | None = None,
) -> list[Result]:
    """``function(chunk)`` for every chunk, in the order of ``chunks``, wherever the caller asks.

    On ``executor`` (any ``concurrent.futures.Executor`` or a Dask ``Client``), else on ``workers`` processes
    counting this one: a pool of ``workers − 1`` made here (:func:`process_pool`, with ``preload``) and shut
    down after, beside this process, which takes chunks too; with ``workers == 1`` all of it here. The pool is
    started only when, at the pace of a first chunk solved here, the rest would take more than ``pool_after``
    seconds (default :data:`POOL_AFTER_SECONDS`): a smaller job is over before workers are up.
    ``function`` must be picklable for processes (a module-level function or a ``functools.partial`` of one).
    The progress bar (on stderr) advances by ``len(chunk)`` ``unit`` s as chunks finish. A pool whose workers
    die or cannot start raises :class:`SolverError` saying why that usually happens.
    """
    if workers < 1:
        raise ValueError(f"workers = {workers}: must be at least 1")
    if not chunks:
        return []
    pool = as_executor(executor)
    with tqdm(total=sum(len(chunk) for chunk in chunks), desc=description, unit=unit, disable=not progress) as bar:
        if pool is not None:
            return _on_executor(function, chunks, pool, bar)
        if workers > 1:
            threshold = POOL_AFTER_SECONDS if pool_after is None else pool_after
            return _beside_a_pool(function, chunks, workers - 1, preload, bar, threshold)
        results = []
        for chunk in chunks:
            results.append(function(chunk))
            bar.update(len(chunk))
        return results
