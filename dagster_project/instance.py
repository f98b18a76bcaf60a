"""The Dagster instance every run of this project is recorded in.

`mujun evaluate`, the annual schedule and `make dev` share one instance under the project's
`dagster_home/` (an explicitly set DAGSTER_HOME wins), so the Dagster UI shows every run,
whoever started it, with the data-year partitions it materialized."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import DagsterInstance

from .paths import DAGSTER_HOME_DIR

# Dagster's configuration of the instance: storage defaults to SQLite files under the folder;
# nothing leaves the machine.
INSTANCE_CONFIG = "telemetry:\n  enabled: false\n"


def ensure_home(home: Path = DAGSTER_HOME_DIR) -> Path:
    """Create the instance folder and its dagster.yaml if missing (`make install` calls this)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.is_file():
        config.write_text(INSTANCE_CONFIG, encoding="utf-8")
    return home


def project_instance() -> DagsterInstance:
    """The instance named by DAGSTER_HOME when set, else the project's own."""
    if os.environ.get("DAGSTER_HOME"):
        return DagsterInstance.get()
    return DagsterInstance.from_config(str(ensure_home()))
