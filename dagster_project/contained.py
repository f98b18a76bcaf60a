"""A function run in a process of its own under a memory ceiling, for reading what a department
delivered with a library that aborts its process when an allocation fails (python-calamine:
tafia/calamine#693, "a 2 KB well-formed xlsx aborts the process"). The run's process then only
sees that the reading process ended, and says so; it is never aborted itself.

The process is `python -m <module>` (a fresh interpreter that imports only that module: the run's
process has threads, which a fork would copy in whatever state they are, and multiprocessing's
spawn would import the caller's main script again). The module's `__main__` calls `serve`: the
delivered bytes come on its standard input, the answer (a value, or what was raised) goes back
pickled on its standard output."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

# The address space a reading process may take: a sheet at the largest extent xlsx_sheets.py lets
# through takes about 1.4 GB read, and its values as much again on their way back.
MEMORY_CEILING = 6 * 1024**3
# the folder holding the dagster_project package
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


class ProcessEnded(Exception):
    """The process ended without an answer: aborted (out of memory), killed, or it could not start."""

    def __init__(self, said: str, out_of_memory: bool):
        super().__init__(said, out_of_memory)
        self.said, self.out_of_memory = said, out_of_memory


def run(module: str, data: bytes, *arguments: str):
    """`module`'s function (see serve) on `data` and `arguments`, in a process of its own; what it
    raised is raised here (a MemoryError when the ceiling stopped Python itself), ProcessEnded when
    the process ended without an answer (its last line of standard error in the message)."""
    # this very code, wherever the process starts: the package's own folder first on the module
    # path, and not the current directory (-P), which may hold another checkout
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-P", "-m", module, *arguments], input=data, capture_output=True, check=False, env=env)
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()
    if done.returncode != 0 or not done.stdout:
        raise ProcessEnded(said[-1] if said else f"exit {done.returncode}", out_of_memory=_out_of_memory(done.returncode, said))
    try:
        outcome = pickle.loads(done.stdout)
    except Exception as exc:  # something else wrote on its standard output
        raise ProcessEnded(f"{type(exc).__name__}: {exc}", out_of_memory=False) from None
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _out_of_memory(status: int, said: list[str]) -> bool:
    """Whether the process ended for want of memory: aborted by a failed allocation (Rust says
    "memory allocation of … failed") or by Python's MemoryError."""
    return status == -signal.SIGABRT or any("memory allocation" in line or "MemoryError" in line for line in said[-3:])


def serve(function: Callable) -> None:
    """The reading process's main: under the memory ceiling, function(standard input's bytes,
    *command-line arguments), its value or what it raised pickled to standard output."""
    _ceiling(MEMORY_CEILING)
    data = sys.stdin.buffer.read()
    try:
        outcome = function(data, *sys.argv[1:])
    except Exception as exc:  # crosses back to the caller, which raises it
        outcome = exc
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))


def _ceiling(limit: int) -> None:
    try:
        import resource
    except ImportError:  # not a Unix: no ceiling, the process is still apart
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
