"""What native solver libraries write to file descriptor 1, kept off the caller's stdout.

HiGHS prints its banner when the first ``highspy.Highs()`` of a process is constructed, before any option
can switch it off, and Ipopt prints its option complaints there. Python's ``sys.stdout`` redirection (and
pytest's ``capsys``) cannot see either, so a ``--json`` command would emit text before its JSON. These
context managers point the descriptor itself somewhere else while the C code runs.

Descriptor 1 belongs to the whole process, so the redirections nest and are shared across threads: the
first block in saves the real descriptor and the last block out restores it (a lock and a count), so that
overlapping blocks in a thread pool can never leave stdout pointing at a sink.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import IO

__all__ = ["captured_native_stdout", "silenced_native_stdout"]

_lock = threading.RLock()
_saved: int | None = None  # the real descriptor 1 while any block redirects it
_depth = 0


def _same_file(first: int, second: int | None) -> bool:
    if second is None:
        return False
    a, b = os.fstat(first), os.fstat(second)
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


@contextlib.contextmanager
def _native_stdout_to(sink: IO[bytes]) -> Iterator[None]:
    global _saved, _depth
    with _lock:
        sys.stdout.flush()
        if _depth == 0:
            try:
                _saved = os.dup(1)
            except OSError:  # no descriptor 1 (a closed stdout): nothing can reach it anyway
                _saved = None
        _depth += 1
        previous = os.dup(1) if _saved is not None else None
        if _saved is not None:
            os.dup2(sink.fileno(), 1)
    try:
        yield
    finally:
        with _lock:
            if previous is not None:
                # back to the enclosing block's sink; but while another thread's block is still open, never
                # back to the real stdout (that block's native output would reach it): the last one out restores
                if _depth == 1 or not _same_file(previous, _saved):
                    os.dup2(previous, 1)
                os.close(previous)
            _depth -= 1
            if _depth == 0 and _saved is not None:
                os.dup2(_saved, 1)
                os.close(_saved)
                _saved = None


@contextlib.contextmanager
def silenced_native_stdout() -> Iterator[None]:
    """Discard what native code writes to descriptor 1 inside the block."""
    with open(os.devnull, "wb") as sink, _native_stdout_to(sink):
        yield


@contextlib.contextmanager
def captured_native_stdout() -> Iterator[IO[bytes]]:
    """Collect what native code writes to descriptor 1 inside the block in a file the caller may read."""
    with tempfile.TemporaryFile() as sink, _native_stdout_to(sink):
        yield sink
