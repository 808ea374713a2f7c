"""Run many ``evgames`` command lines in child processes, paying the import of the solver stack once.

Usage: ``python cli_driver.py CASES.json RESULTS.json``. ``CASES.json`` is a list of
``{"id", "argv", "cwd"}``; every case runs in its own forked child exactly as ``python -m evgames.cli
ARGV`` would (``sys.exit(main())``), with stdin, stdout and stderr redirected at the file-descriptor level
(HiGHS writes to fd 1 behind Python's back), a memory limit and a timeout. ``RESULTS.json`` maps each id
to ``{"code", "stdout", "stderr", "seconds"}``; ``code`` is None when the case timed out.

Forking is safe here: the parent only imports, it never starts a solver or a thread pool.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

#: Address space a child may add to what the parent has mapped after its imports.
EXTRA_MEMORY = 3 * 1024**3
TIMEOUT = 120.0
PARALLEL = 2


def _mapped_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _child(argv: list[str], cwd: str, out: str, err: str, memory: int) -> None:
    """Never returns: runs the command line and leaves with its exit status."""
    code = 1
    try:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        os.chdir(cwd)
        stdin = os.open(os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
        os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
        sys.argv = ["evgames", *argv]
        from evgames.cli import main

        try:
            code = main()
        except SystemExit as stop:  # argparse's --help and its errors
            if stop.code is None or isinstance(stop.code, int):
                code = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
                code = 1
    except BaseException:  # what `python -m` would print
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 1)


def run(cases: list[dict], timeout: float = TIMEOUT, parallel: int = PARALLEL) -> dict[str, dict]:
    """Run every case (``parallel`` at a time) and return the results by id."""
    # The expensive imports, done once before forking: the CLI itself imports each family only when a
    # command runs it, so the families (and with them Pyomo, CasADi, cyipopt, highspy) are imported here.
    import importlib

    import evgames.cli  # noqa: F401
    from evgames.api import FAMILIES

    for family in FAMILIES.values():
        importlib.import_module(family.module)
    for module in ("evgames.allocation", "evgames.games.excess", "evgames.models.segmentation", "evgames.papers"):
        importlib.import_module(module)

    memory = _mapped_bytes() + EXTRA_MEMORY if _mapped_bytes() else 0
    results: dict[str, dict] = {}
    pending = list(cases)
    running: dict[int, tuple[dict, str, str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        while pending or running:
            while pending and len(running) < parallel:
                case = pending.pop(0)
                out = os.path.join(scratch, f"{len(results) + len(running)}-{os.getpid()}-{case['id']}.out")
                err = out[:-4] + ".err"
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    _child(case["argv"], case["cwd"], out, err, memory)
                running[pid] = (case, out, err, time.monotonic())
            for pid, (case, out, err, start) in list(running.items()):
                done, status = os.waitpid(pid, os.WNOHANG)
                elapsed = time.monotonic() - start
                if not done and elapsed < timeout:
                    continue
                code: int | None
                if done:
                    code = os.waitstatus_to_exitcode(status)
                else:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    code = None
                del running[pid]
                results[case["id"]] = {
                    "code": code,
                    "stdout": Path(out).read_text(errors="replace") if os.path.exists(out) else "",
                    "stderr": Path(err).read_text(errors="replace") if os.path.exists(err) else "",
                    "seconds": round(elapsed, 3),
                }
            time.sleep(0.005)
    return results


if __name__ == "__main__":
    source, target = sys.argv[1:3]
    found = run(json.loads(Path(source).read_text()))
    Path(target).write_text(json.dumps(found))
