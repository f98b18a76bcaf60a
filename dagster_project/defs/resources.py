"""Resources own the places mujun reads and writes; nothing is opened at import time."""


import importlib.metadata
import os
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Iterator

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging.version import Version

from ..paths import DEFAULT_EXPORT_DIR, DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE


class Warehouse(ConfigurableResource):
    """The DuckDB file of one mujun installation (one writer at a time)."""

    path: str = os.environ.get("MUJUN_WAREHOUSE", str(DEFAULT_WAREHOUSE))

    @property
    def file(self) -> Path:
        return Path(self.path).resolve()

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(str(self.file))
        try:
            yield conn
        finally:
            conn.close()


class Locations(ConfigurableResource):
    """Where departmental extracts arrive and where exports are written."""

    raw_dir: str = os.environ.get("MUJUN_RAW_DIR", str(DEFAULT_RAW_DIR))
    export_dir: str = os.environ.get("MUJUN_EXPORT_DIR", str(DEFAULT_EXPORT_DIR))


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without two start-up costs mujun does not use (about 6 s a run):
    asking the dbt executable for its version (a subprocess that imports all of dbt), and opening
    a dbt adapter in this process, which dagster-dbt needs only to fetch row counts and column
    metadata. The dbt executable is the one of this environment (dbt_project.DBT_EXECUTABLE), so
    its version is that of the installed dbt-core package."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None
