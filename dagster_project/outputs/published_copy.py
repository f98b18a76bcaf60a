"""The analysts' copy of the warehouse. DuckDB allows one writer, and even a reader blocks a writer
in another process, so analysts never open the working warehouse: each successful run publishes a
copy that they open read-only while the next run writes. The copy is made aside first and
swapped in by the run's last step, together with the exports (defs/export_assets.py), so a run
that fails leaves the previous copy in place."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb


def published_path(warehouse: Path) -> Path:
    return Path(warehouse).parent / "published" / Path(warehouse).name


def _partial_path(warehouse: Path, run_id: str) -> Path:
    target = published_path(warehouse)
    return target.with_name(f".{target.name}.{run_id}.partial")


def _previous_path(warehouse: Path, run_id: str) -> Path:
    target = published_path(warehouse)
    return target.with_name(f".{target.name}.{run_id}.previous")


def stage_copy(warehouse: Path, run_id: str, is_running: Callable[[str], bool]) -> Path:
    """Checkpoint the warehouse and copy it beside the published copy (not yet visible). Copies
    left by earlier runs that are not running any more are removed first."""
    warehouse = Path(warehouse)
    target = published_path(warehouse)
    target.parent.mkdir(parents=True, exist_ok=True)
    leftover = re.compile(rf"^\.{re.escape(target.name)}\.(?P<run_id>[0-9A-Za-z-]+)\.(partial|previous)$")
    for path in target.parent.iterdir():
        match = leftover.match(path.name)
        if match and match["run_id"] != run_id and not is_running(match["run_id"]):
            path.unlink(missing_ok=True)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("checkpoint")
    partial = _partial_path(warehouse, run_id)
    shutil.copyfile(warehouse, partial)  # checkpointed: the file alone is the whole database
    return partial


def commit_copy(partial: Path, warehouse: Path, run_id: str) -> Path:
    """Swap the staged copy in atomically: a reader of the old copy keeps reading it; new readers
    get the new one. The old copy stays aside (a second name of the same file) until
    `drop_previous_copy`, so that `restore_copy` can put it back if the run fails after this."""
    target, previous = published_path(warehouse), _previous_path(warehouse, run_id)
    if target.is_file():
        try:
            os.link(target, previous)
        except OSError:  # a file system without hard links
            shutil.copyfile(target, previous)
    os.replace(partial, target)
    return target


def restore_copy(warehouse: Path, run_id: str) -> None:
    """Undo `commit_copy`: the previous copy comes back (none before: the new one goes)."""
    target, previous = published_path(warehouse), _previous_path(warehouse, run_id)
    if previous.is_file():
        os.replace(previous, target)
    else:
        target.unlink(missing_ok=True)


def drop_previous_copy(warehouse: Path, run_id: str) -> None:
    _previous_path(warehouse, run_id).unlink(missing_ok=True)


def discard_copy(warehouse: Path, run_id: str) -> None:
    _partial_path(warehouse, run_id).unlink(missing_ok=True)
