"""Where things live. The project root is the checkout (the package is installed editable)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("MUJUN_HOME", Path(__file__).resolve().parents[1]))
DBT_DIR = PROJECT_ROOT / "dbt"
SEEDS_DIR = PROJECT_ROOT / "data" / "seeds"
DEFAULT_RAW_DIR = PROJECT_ROOT / "data" / "raw"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "mujun.duckdb"
DEFAULT_EXPORT_DIR = PROJECT_ROOT / "exports"
# Where `mujun templates` writes the departments' delivery templates.
DEFAULT_TEMPLATES_DIR = PROJECT_ROOT / "templates"
# The project's Dagster instance: runs of the CLI, the schedule and `make dev` all land here.
DAGSTER_HOME_DIR = PROJECT_ROOT / "dagster_home"
