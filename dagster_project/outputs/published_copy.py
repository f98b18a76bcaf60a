"""The analysts' copy of the warehouse. DuckDB allows one writer, and even a reader blocks a writer
in another process, so analysts never open the working warehouse: each run publishes a copy that
they open read-only while the next run writes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb


def published_path(warehouse: Path) -> Path:
    return Path(warehouse).parent / "published" / Path(warehouse).name


def publish_copy(warehouse: Path) -> Path:
    """Checkpoint the warehouse, copy it beside itself, then swap it in atomically: a reader of the
    old copy keeps reading it; new readers get the new one."""
    warehouse = Path(warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("checkpoint")
    target = published_path(warehouse)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(warehouse, partial)
    os.replace(partial, target)
    return target
