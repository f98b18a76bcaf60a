"""The files a publication put before people: their sha256, frozen with the publication, and what
`mujun verify` finds changed in the folder since.

A year's outputs are written again whole by every run, the same bytes for the same results (a
workbook's creation time, when its results were computed, is left out of its fingerprint), so a
file that differs from its fingerprint was edited, replaced or written with other results."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import duckdb


def create_table(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        """create table if not exists publications.files (
            publication_id varchar, folder varchar, file varchar, sha256 varchar)"""
    )


def freeze(conn: duckdb.DuckDBPyConnection, publication_id: str, year: int) -> int:
    """Record the sha256 of every file of the year's results that its latest run published into its
    results folder (RUN_HISTORY_EXPORTS aside); returns how many."""
    rows = []
    for folder, names in _published(conn, year):
        for name in names:
            path = Path(folder) / str(year) / name
            rows.append([publication_id, folder, name, _sha256(path) if path.is_file() else None])
    if rows:
        conn.executemany("insert into publications.files values (?, ?, ?, ?)", rows)
    return len(rows)


def differences(conn: duckdb.DuckDBPyConnection, publication_id: str, year: int) -> list[str]:
    """One line for each file of the publication that is no longer in its folder as published."""
    recorded = conn.execute(
        "select count(*) from information_schema.tables where table_schema = 'publications' and table_name = 'files'"
    ).fetchone()[0]
    if not recorded:
        return []
    lines = []
    for folder, name, sha256 in conn.execute(
        "select folder, file, sha256 from publications.files where publication_id = ? order by file", [publication_id]
    ).fetchall():
        path = Path(folder) / str(year) / name
        if not path.is_file():
            lines.append(f"结果文件 / output {path}：发布后已删除或移走 / deleted or moved since publication")
        elif sha256 is not None and _sha256(path) != sha256:
            lines.append(
                f"结果文件 / output {path}：发布后已改动或被重新生成的不同结果覆盖 / changed since publication "
                f"(sha256 {sha256[:12]} → {_sha256(path)[:12]})"
            )
    return lines


def _published(conn: duckdb.DuckDBPyConnection, year: int) -> list[tuple[str, list[str]]]:
    """(folder, files) of each export of the year's latest run (runs.published_exports)."""
    exists = conn.execute(
        "select count(*) from information_schema.columns where table_schema = 'runs' and table_name = 'published_exports'"
        " and column_name = 'export_dir'"
    ).fetchone()[0]
    if not exists:
        return []
    rows = conn.execute(
        """select export_dir, files from runs.published_exports
           where data_year = ? and export_dir is not null and export not in (select unnest(?::varchar[])) order by export""",
        [year, list(RUN_HISTORY_EXPORTS)],
    ).fetchall()
    return [(folder, json.loads(files)) for folder, files in rows]


# Exports that describe the year's computations rather than its results: 变更对比 compares the
# latest computation with the one before, which a computation run again on the same inputs changes.
RUN_HISTORY_EXPORTS = ("changes",)
# The part of a workbook that says when it was created: its results' computation time, which a
# computation run again on the same inputs changes without changing anything people read.
_WORKBOOK_TIMES = "docProps/core.xml"


def _sha256(path: Path) -> str:
    """The file's sha256; a workbook's is that of its parts, their names and bytes, but its times."""
    if path.suffix.lower() == ".xlsx" and zipfile.is_zipfile(path):
        digest = hashlib.sha256()
        with zipfile.ZipFile(path) as book:
            for member in sorted(book.namelist()):
                if member != _WORKBOOK_TIMES:
                    digest.update(member.encode("utf-8") + b"\0" + hashlib.sha256(book.read(member)).digest())
        return digest.hexdigest()
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
