"""dbt in this process, through dbt's documented programmatic API (`dbtRunner`).

A `dbt` subprocess per build cost a Python start, dbt's import and, whenever the year, the
decisions or the warehouse differed from those of the parse cache, a full parse of the project
(the vars and the profile's connection are part of dbt's parse-cache key). Here the project is
parsed with the project's own vars and profile, so the parse cache `make manifest` wrote stays
valid for every year and warehouse, and the build reuses that parsed manifest
(`dbtRunner(manifest=...)`): the year, the decisions and the warehouse path are read when each
node is compiled, which is where the models use them (dbt/macros/run_context.sql; no config of a
model depends on a var, tests/test_dbt_layout.py keeps it so).

Each invocation has its own target folder (compiled SQL, run results, dbt's log), copied the
project's parse cache first, so that runs in parallel processes never write one file together.

A process that evaluates more than once (the tests, a long-lived Python session) parses once:
the parsed project is kept while no file dbt reads has changed (dbt's documented reuse of a
manifest between invocations; checking the files costs a few milliseconds, a parse seconds).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .paths import DBT_DIR, SEEDS_DIR

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
TARGET = DBT_DIR / "target"
# A failed build's folder (compiled SQL, run results, dbt's log: a few MB each) stays to be looked
# into; the oldest go once there are more than this many, so that dbt/target does not grow
# without end. A folder younger than an hour is never removed: it may be a build still running
# in another process.
KEPT_FOLDERS = 5
KEPT_YOUNGER_THAN_SECONDS = 3600


@dataclass(frozen=True)
class Invocation:
    """One dbt command's own folder under dbt/target."""

    target: Path
    copied_cache: int | None  # the copied parse cache's modification time (ns), None when none

    @classmethod
    def new(cls, name: str) -> Invocation:
        remove_old_folders()
        target = TARGET / f"{name}-{uuid.uuid4().hex[:12]}"
        target.mkdir(parents=True)
        cached, copy = TARGET / PARTIAL_PARSE_FILE, target / PARTIAL_PARSE_FILE
        if cached.is_file():
            shutil.copyfile(cached, copy)
        return cls(target, copy.stat().st_mtime_ns if copy.is_file() else None)

    def args(self, command: str) -> list[str]:
        return [
            command,
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(self.target),
            "--log-path",
            str(self.target),
            # dbt.log keeps warnings and errors (a failed build's folder stays to be looked into,
            # with the compiled SQL and the run results): dbt's debug lines, written through one
            # locked handler by all its threads, cost about a second a build (docs/performance.md)
            "--log-level-file",
            "warn",
            "--no-send-anonymous-usage-stats",
        ]

    def keep_parse_cache(self) -> None:
        """Make this invocation's parse cache the project's when it parsed anything again (a dbt
        or seed file changed): the next parse then only checks the files. Atomic: a parse
        starting meanwhile reads the old cache or the new one, never half of one."""
        cache = self.target / PARTIAL_PARSE_FILE
        if not cache.is_file() or cache.stat().st_mtime_ns == self.copied_cache:
            return  # dbt writes its cache only when it parsed something
        kept = TARGET / PARTIAL_PARSE_FILE
        partial = kept.with_name(f"{PARTIAL_PARSE_FILE}.{self.target.name}")
        shutil.copyfile(cache, partial)
        partial.replace(kept)

    def keep_run_results(self, result) -> None:
        """run_results.json in this folder (a failed build's, for whoever looks into it)."""
        if result.result is not None:
            result.result.write(str(self.target / "run_results.json"))

    def remove(self) -> None:
        shutil.rmtree(self.target, ignore_errors=True)


def remove_old_folders(now: float | None = None) -> list[Path]:
    """Remove the folders of earlier dbt commands beyond the newest KEPT_FOLDERS (failed builds
    keep theirs; a process killed during a command leaves its own), except those younger than
    KEPT_YOUNGER_THAN_SECONDS. Returns what was removed."""
    now = time.time() if now is None else now
    folders = sorted(
        (entry for entry in TARGET.glob("*-*") if entry.is_dir() and entry.name.split("-")[0] in ("build", "parse")),
        key=lambda entry: entry.stat().st_mtime,
        reverse=True,
    )
    removed = [entry for entry in folders[KEPT_FOLDERS:] if now - entry.stat().st_mtime > KEPT_YOUNGER_THAN_SECONDS]
    for entry in removed:
        shutil.rmtree(entry, ignore_errors=True)
    return removed


def copy_project(home: Path) -> Path:
    """A copy of the dbt project under `home/dbt` (a project of its own, MUJUN_HOME) that starts
    from this project's parse cache: dbt then parses only the files the copy changes."""
    target = Path(home) / "dbt"
    shutil.copytree(DBT_DIR, target, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    if (TARGET / PARTIAL_PARSE_FILE).is_file():
        (target / "target").mkdir()
        shutil.copyfile(TARGET / PARTIAL_PARSE_FILE, target / "target" / PARTIAL_PARSE_FILE)
    return target


class DbtError(RuntimeError):
    """dbt could not run the command at all (a project, profile or compilation error)."""


def parse(warehouse: Path | None = None, write_manifest_to: Path | None = None):
    """The parsed project (a dbt Manifest), from the parse cache where the files are unchanged.
    With `write_manifest_to`, manifest.json is written there as well (what dagster-dbt reads).

    dbt-duckdb names the database of every relation after the warehouse file (`mujun` for
    mujun.duckdb), and that name is fixed when the project is parsed: a warehouse named
    otherwise is parsed for itself, in full and without touching the project's parse cache."""
    project = _parsed({}, write_manifest_to)
    if warehouse is None or _database(project) == Path(warehouse).stem:
        return project
    return _parsed({"warehouse": str(warehouse)}, None)


# vars -> (the files as they were, the Manifest parsed from them), for the life of the process
_PARSED: dict[str, tuple[tuple, Any]] = {}


def _project_files() -> tuple:
    """Path, size and modification time of every file dbt reads: the project and the seeds."""
    found = []
    for root in (DBT_DIR, SEEDS_DIR):
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = [name for name in subfolders if name not in ("target", "logs")]
            for name in files:
                stat = os.stat(os.path.join(folder, name))
                found.append((folder, name, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


def _parsed(dbt_vars: dict[str, Any], write_manifest_to: Path | None):
    key, files = json.dumps(dbt_vars, sort_keys=True), _project_files()
    kept = _PARSED.get(key)
    if kept is None or kept[0] != files or write_manifest_to is not None:
        if dbt_vars:  # a warehouse parsed for itself: only the latest one is kept
            for other in [k for k in _PARSED if k != json.dumps({})]:
                del _PARSED[other]
        _PARSED[key] = (files, _parse(dbt_vars, write_manifest_to))
    return _PARSED[key][1]


def _database(project) -> str | None:
    return next((node.database for node in project.nodes.values()), None)


def _parse(dbt_vars: dict[str, Any], write_manifest_to: Path | None):
    from dbt.cli.main import dbtRunner

    invocation = Invocation.new("parse")
    try:
        args = invocation.args("parse") + ["--quiet", "--vars", json.dumps(dbt_vars)]
        result = dbtRunner().invoke(args + ([] if write_manifest_to else ["--no-write-json"]))
        if not result.success:
            raise DbtError(f"dbt parse: {result.exception}")
        if not dbt_vars:  # the project's own vars: the cache every later parse starts from
            invocation.keep_parse_cache()
        if write_manifest_to is not None:
            write_manifest_to.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(invocation.target / "manifest.json", write_manifest_to)
        return result.result
    finally:
        invocation.remove()


def build(
    manifest,
    dbt_vars: dict[str, Any],
    select: Sequence[str] = (),
    exclude_resource_types: Sequence[str] = ("unit_test",),
):
    """`dbt build` of the parsed project with these vars; returns (dbtRunnerResult, Invocation).
    The caller removes the invocation's folder once it has read what it needs."""
    from dbt.cli.main import dbtRunner

    invocation = Invocation.new("build")
    # no manifest.json (the parsed project is already in memory, and in dbt/target from `make
    # manifest`) and no run_results.json (the results come back in memory; a failed build's are
    # written by keep_run_results)
    args = invocation.args("build") + ["--vars", json.dumps(dbt_vars), "--no-write-json"]
    for resource_type in exclude_resource_types:
        args += ["--exclude-resource-type", resource_type]
    if select:
        # exactly the selected nodes: a test runs when it is selected itself, not because one of
        # its models is
        args += ["--select", *select, "--indirect-selection", "empty"]
    result = dbtRunner(manifest=manifest).invoke(args)
    if result.exception is not None and result.result is None:
        raise DbtError(f"dbt build: {result.exception}") from result.exception
    return result, invocation
