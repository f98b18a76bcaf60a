"""The dbt project and its manifest (dagster-dbt needs a manifest before definitions load).

`make manifest` builds the manifest (`dbt parse`) whenever a dbt or seed file changed;
`dagster dev` parses again on every reload (`prepare_if_dev`). A copy of the project without a
manifest (a test's MUJUN_HOME, the scratch project of `mujun verify`) is parsed once when the
definitions load."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from .dbt_extracts import write_extract_files
from .paths import DBT_DIR

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
dbt_project.prepare_if_dev()
# The dbt of this environment, whether or not the virtualenv is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def manifest() -> Path:
    """The project's manifest, parsed now if this copy of the project has none or the extract
    list dbt parses changed with the contract (dbt_extracts.py writes only what differs), with
    this environment's dbt: dagster-dbt's own preparer looks for `dbt` on PATH."""
    if write_extract_files() or not dbt_project.manifest_path.exists():
        dbt = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
        dbt.cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
    return dbt_project.manifest_path


def keep_parse_cache(invocation_target: Path) -> None:
    """Make a build's parse cache the project's, which dagster-dbt copies into each invocation's
    target folder: the next build with the same vars (a re-run of the year) parses only what
    changed instead of the whole project. Atomic: a build starting meanwhile reads the old cache
    or the new one, never half of one."""
    cache = invocation_target / PARTIAL_PARSE_FILE
    if not cache.is_file():
        return
    kept = dbt_project.project_dir / dbt_project.target_path / PARTIAL_PARSE_FILE
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f"{PARTIAL_PARSE_FILE}.{os.getpid()}")
    shutil.copyfile(cache, partial)
    os.replace(partial, kept)
