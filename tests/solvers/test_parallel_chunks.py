"""run_chunks: chunks of work in order, on any executor, a Dask-like client, or this process."""

from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from math import fsum

import pytest

from evgames.solvers import SolverError, parallel

CHUNKS = [[1.0, 2.0], [3.0], [4.0, 5.0, 6.0], [0.5] * 4]
SUMS = [3.0, 3.0, 15.0, 2.0]


class ClientLike:
    """What a Dask Client offers run_chunks: an executor from get_executor()."""

    def __init__(self, pool):
        self.pool = pool

    def get_executor(self):
        return self.pool


class Broken(Executor):
    """An executor whose every call ends as a dead process pool's does."""

    def submit(self, function, /, *args, **kwargs):
        future = Future()
        future.set_exception(BrokenProcessPool("a worker died"))
        return future


def test_results_come_in_the_order_of_the_chunks_wherever_they_run():
    assert parallel.run_chunks(fsum, CHUNKS) == SUMS
    with ThreadPoolExecutor(3) as pool:
        assert parallel.run_chunks(fsum, CHUNKS, executor=pool) == SUMS
        assert parallel.run_chunks(fsum, CHUNKS, executor=ClientLike(pool)) == SUMS
    assert parallel.run_chunks(fsum, []) == []


def test_a_small_job_asked_of_two_workers_starts_no_pool(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for a job of microseconds")

    monkeypatch.setattr(parallel, "process_pool", no_pool)
    assert parallel.run_chunks(fsum, CHUNKS, workers=2) == SUMS


def test_a_dead_pool_is_said_with_its_usual_cause():
    with pytest.raises(SolverError, match='if __name__ == "__main__":'):
        parallel.run_chunks(fsum, CHUNKS, executor=Broken())


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        parallel.run_chunks(fsum, CHUNKS, workers=0)
