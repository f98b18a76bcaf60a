"""The dbt project and its manifest (dagster-dbt needs a manifest before definitions load)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from .paths import DBT_DIR, SEEDS_DIR

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
# The dbt of this environment, whether or not the virtualenv is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


def _fingerprint() -> str:
    """Names, sizes and times of every file dbt parses: a rename or deletion changes it too."""
    files = [DBT_DIR / "dbt_project.yml", DBT_DIR / "profiles.yml"]
    for folder in (DBT_DIR / "models", DBT_DIR / "macros", DBT_DIR / "tests", SEEDS_DIR):
        files += sorted(p for p in folder.rglob("*") if p.is_file())
    listing = "\n".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    return hashlib.sha256(listing.encode()).hexdigest()


def ensure_manifest() -> Path:
    """Run `dbt parse` when the manifest is missing or any dbt or seed file changed since."""
    manifest = dbt_project.manifest_path
    stamp = manifest.with_name("mujun_manifest.fingerprint")
    fingerprint = _fingerprint()
    if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return manifest
    subprocess.run(
        [DBT_EXECUTABLE, "parse", "--quiet", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)],
        check=True,
        cwd=DBT_DIR,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    stamp.write_text(fingerprint)
    return manifest
