"""The Dagster instance every run of this project is recorded in.

`mujun evaluate`, the annual schedule and `make dev` share one instance under the project's
`dagster_home/` (an explicitly set DAGSTER_HOME wins), so the Dagster UI shows every run,
whoever started it, with the data-year partitions it materialized."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from dagster import DagsterInstance

from .paths import DAGSTER_HOME_DIR

# Dagster's configuration of the instance: storage defaults to SQLite files under the folder;
# nothing leaves the machine (telemetry off), and the UI does not open on Dagster's sign-up
# dialog (an English form asking staff for an e-mail address: "nux", the new-user experience).
# One run at a time: every run writes the one warehouse (DuckDB lets one process write it), and
# a year's run reads the results of the year before it, so a backfill of several years, or the
# sensor's runs after a correction, wait in Dagster's queue, the earlier year first
# (defs/jobs.py); run side by side they failed on the warehouse's lock, or computed a year
# before the one it builds on.
SETTINGS = {"telemetry": {"enabled": False}, "nux": {"enabled": False}, "concurrency": {"runs": {"max_concurrent_runs": 1}}}


def ensure_home(home: Path = DAGSTER_HOME_DIR) -> Path:
    """Create the instance folder and its dagster.yaml (`make install` calls this); a dagster.yaml
    that lacks one of SETTINGS (made by an older mujun) gets it, whatever else it says is kept."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    text = config.read_text(encoding="utf-8") if config.is_file() else ""
    missing = {name: value for name, value in SETTINGS.items() if name not in (yaml.safe_load(text) or {})}
    if missing:
        with open(config, "a", encoding="utf-8") as f:
            f.write(("\n" if text and not text.endswith("\n") else "") + yaml.safe_dump(missing, sort_keys=False))
    return home


def project_instance() -> DagsterInstance:
    """The instance named by DAGSTER_HOME when set, else the project's own."""
    if os.environ.get("DAGSTER_HOME"):
        return DagsterInstance.get()
    return DagsterInstance.from_config(str(ensure_home()))
