"""A function run in a process of its own under a memory ceiling, for reading what a department
delivered with a library that aborts its process when an allocation fails (python-calamine:
tafia/calamine#693, "a 2 KB well-formed xlsx aborts the process"). The run's process then only
sees that the reading process ended, and says so; it is never aborted itself.

The process is a fresh interpreter (the run's process has threads, which a fork would copy in
whatever state they are) that imports only the function's module."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

# The address space a reading process may take: a sheet at the largest extent xlsx_sheets.py lets
# through takes about 1.4 GB read, and its values as much again on their way back.
MEMORY_CEILING = 6 * 1024**3


class ProcessEnded(Exception):
    """The process ended before returning: aborted (memory) or killed."""


def run(function: Callable, *args, memory_ceiling: int = MEMORY_CEILING):
    """function(*args) in a process of its own under `memory_ceiling` bytes of address space; what
    it raises is raised here (a MemoryError when the ceiling stopped Python itself), ProcessEnded
    when the process ended without an answer."""
    pool = ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_ceiling, initargs=(memory_ceiling,)
    )
    try:
        return pool.submit(function, *args).result()
    except BrokenProcessPool as exc:
        raise ProcessEnded(str(exc)) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ceiling(limit: int) -> None:
    try:
        import resource
    except ImportError:  # not a Unix: no ceiling, the process is still apart
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
