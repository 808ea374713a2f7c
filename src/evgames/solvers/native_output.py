"""What native solver libraries write to file descriptor 1, kept off the caller's stdout.

HiGHS prints its banner when the first ``highspy.Highs()`` of a process is constructed, before any option
can switch it off, and Ipopt prints its option complaints there. Python's ``sys.stdout`` redirection (and
pytest's ``capsys``) cannot see either, so a ``--json`` command would emit text before its JSON. These
context managers point the descriptor itself somewhere else while the C code runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import IO

__all__ = ["captured_native_stdout", "silenced_native_stdout"]


@contextlib.contextmanager
def _native_stdout_to(sink: IO[bytes]) -> Iterator[None]:
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1 (a closed stdout): nothing can reach it anyway
        yield
        return
    os.dup2(sink.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


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
