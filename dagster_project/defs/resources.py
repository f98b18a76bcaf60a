"""Resources own the places mujun reads and writes; nothing is opened at import time."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, Failure

from .. import exit_status
from ..paths import DEFAULT_EXPORT_DIR, DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE


class Warehouse(ConfigurableResource):
    """The DuckDB file of one mujun installation (one writer at a time)."""

    path: str = os.environ.get("MUJUN_WAREHOUSE", str(DEFAULT_WAREHOUSE))

    @property
    def file(self) -> Path:
        return Path(self.path).resolve()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection; `read_only` for a step that only reads (then other processes may read
        the file at the same time)."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = duckdb.connect(str(self.file), read_only=read_only)
        except duckdb.IOException as error:
            # a run launched from the Dagster UI, the schedule or the sensor says why in words (the
            # command line checks the warehouse before its run starts, evaluate.py)
            raise Failure(
                description=f"{exit_status.explanation(error)}：{self.file} / the warehouse cannot be opened: {error}",
                metadata={"warehouse": str(self.file)},
            ) from error
        try:
            yield conn
        finally:
            conn.close()


class Locations(ConfigurableResource):
    """Where departmental extracts arrive and where exports are written."""

    raw_dir: str = os.environ.get("MUJUN_RAW_DIR", str(DEFAULT_RAW_DIR))
    export_dir: str = os.environ.get("MUJUN_EXPORT_DIR", str(DEFAULT_EXPORT_DIR))
