"""The dbt project and its manifest (dagster-dbt needs a manifest before definitions load)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from dagster_dbt import DbtProject

from .dbt_extracts import write_extract_files
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
    write_extract_files()  # the extract list dbt parses, from the contract (before the fingerprint)
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


# A `dbt parse` for the coming build, run on the other core while the deliveries are ingested.
# dbt re-parses the whole project (some 3 s) whenever the vars or the warehouse path differ from
# those of its parse cache: the first run of a year, or of a new warehouse.
_background: tuple[subprocess.Popen, Path] | None = None
PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def _project_parse_cache() -> Path:
    """The parse cache dagster-dbt copies into each invocation's target folder."""
    return dbt_project.project_dir / dbt_project.target_path / PARTIAL_PARSE_FILE


def start_background_parse(dbt_vars: dict, warehouse: Path) -> None:
    """Start `dbt parse` with the vars and warehouse of the coming build; it needs no database
    connection, so it runs beside ingestion. adopt_background_parse() takes its cache."""
    global _background
    cancel_background_parse()
    folder = Path(tempfile.mkdtemp(prefix="mujun-parse-"))
    cache = _project_parse_cache()
    if cache.is_file():
        shutil.copyfile(cache, folder / PARTIAL_PARSE_FILE)
    process = subprocess.Popen(
        [DBT_EXECUTABLE, "parse", "--quiet", "--vars", json.dumps(dbt_vars), "--target-path", str(folder),
         "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)],
        cwd=DBT_DIR,
        env={**os.environ, "MUJUN_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _background = (process, folder)


def adopt_background_parse(timeout: float = 300) -> None:
    """Wait for the background parse, if any, and make its cache the project's (atomically). A
    failed or missing parse changes nothing: dbt then parses as usual."""
    global _background
    if _background is None:
        return
    process, folder = _background
    _background = None
    try:
        if process.wait(timeout=timeout) == 0 and (folder / PARTIAL_PARSE_FILE).is_file():
            keep_parse_cache(folder / PARTIAL_PARSE_FILE)
    except subprocess.TimeoutExpired:
        process.kill()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cancel_background_parse() -> None:
    global _background
    if _background is not None:
        process, folder = _background
        _background = None
        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def keep_parse_cache(cache: Path) -> None:
    """Make `cache` the project's parse cache, which dagster-dbt copies into each invocation's
    target folder; a run starting meanwhile reads the old cache or the new one, never half."""
    kept = _project_parse_cache()
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f"{PARTIAL_PARSE_FILE}.{os.getpid()}")
    shutil.copyfile(cache, partial)
    os.replace(partial, kept)
