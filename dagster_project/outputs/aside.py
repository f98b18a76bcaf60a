"""An output written by a second process, beside the run's own.

The year's workbook of a province is a few million cells, every one of them Python (xlsxwriter
writes row by row, and no faster writer keeps the page setup and formats people print with): on a
machine with a second core it is written there while the run's process writes the other outputs.
The second process reads the warehouse read-only, like the run's process while it exports (DuckDB
lets several processes read a file none writes), and writes into a folder of its own, so that
what each output wrote stays apart (outputs/staging.py records the files of each)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import duckdb


def start(write: Callable, warehouse: Path, year: int, root: Path) -> tuple[ProcessPoolExecutor, Future]:
    """Run `write(conn, year, root)` in a new process (a fresh interpreter: the run's process has
    threads, which a fork would copy in whatever state they are). The caller waits on the future
    and shuts the executor down."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return pool, pool.submit(_write, write, str(warehouse), year, str(root))


def _write(write: Callable, warehouse: str, year: int, root: str) -> None:
    with duckdb.connect(warehouse, read_only=True) as conn:
        write(conn, year, Path(root))
