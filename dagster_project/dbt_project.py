"""The dbt project and its manifest (dagster-dbt needs a manifest before definitions load).

`make manifest` builds the manifest (`dbt parse`) whenever a dbt or seed file changed;
`dagster dev` parses again on every reload (`prepare_if_dev`). A copy of the project without a
manifest (a test's MUJUN_HOME, the scratch project of `mujun verify`) is parsed once when the
definitions load."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtProject

from . import dbt_build
from .dbt_extracts import write_extract_files
from .paths import DBT_DIR

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
dbt_project.prepare_if_dev()
# The dbt of this environment, whether or not the virtualenv is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


def manifest() -> Path:
    """The project's manifest, parsed now if this copy of the project has none or the extract
    list dbt parses changed with the contract (dbt_extracts.py writes only what differs)."""
    if write_extract_files() or not dbt_project.manifest_path.exists():
        dbt_build.parse(write_manifest_to=dbt_project.manifest_path)
    return dbt_project.manifest_path
