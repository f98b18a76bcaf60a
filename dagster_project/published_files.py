"""The files a publication put before people: their sha256, frozen with the publication, and what
`mujun verify` finds changed in the folder since.

A year's outputs are written again whole by every run, the same bytes for the same results (a
workbook's creation time, when its results were computed, is left out of its fingerprint), so a
file that differs from its fingerprint was edited, replaced or written with other results."""

from __future__ import annotations

import hashlib
import json
import re
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
    """One line for each file of the publication that is no longer in its folder as published,
    and for each file added since; one line when the folder itself is gone."""
    recorded = conn.execute(
        "select count(*) from information_schema.tables where table_schema = 'publications' and table_name = 'files'"
    ).fetchone()[0]
    if not recorded:
        return []
    rows = conn.execute(
        "select folder, file, sha256 from publications.files where publication_id = ? order by file", [publication_id]
    ).fetchall()
    # the files of the exports that describe computations, as the latest run wrote them
    history = {name for _, names in _published(conn, year, run_history=True) for name in names}
    lines = []
    for folder in sorted({folder for folder, _, _ in rows}):
        results = Path(folder) / str(year)
        if not results.is_dir():
            lines.append(f"结果文件夹 / outputs {results}：发布后已删除或移走 / deleted or moved since publication")
            continue
        published = {name: sha256 for where, name, sha256 in rows if where == folder}
        for name, sha256 in sorted(published.items()):
            path = results / name
            if not path.is_file():
                lines.append(f"结果文件 / output {path}：发布后已删除或移走 / deleted or moved since publication")
            elif sha256 is not None and (now := _sha256(path)) != sha256:
                lines.append(
                    f"结果文件 / output {path}：发布后已改动或被不同的结果覆盖 / changed since publication "
                    f"(sha256 {sha256[:12]} → {now[:12]})"
                )
        for path in sorted(results.rglob("*")):
            name = path.relative_to(results).as_posix()
            if path.is_file() and name not in published and name not in history:
                lines.append(f"结果文件 / output {path}：发布后新增 / added since publication")
    return lines


def missing(conn: duckdb.DuckDBPyConnection, year: int) -> tuple[Path | None, list[Path]]:
    """The export folder of the year's latest run, and the files it published there that are not
    there now."""
    published = _published(conn, year)
    gone = [Path(folder) / str(year) / name for folder, names in published for name in names]
    return (Path(published[0][0]) if published else None), [path for path in gone if not path.is_file()]


def restore_hint(year: int, export_dir: Path | str) -> str:
    """How the files of a year's results are written again from the warehouse."""
    return (
        f"结果文件可按数据仓库中的结果重新生成：mujun export --year {year} --export-dir {export_dir} / "
        f"write them again from the warehouse: mujun export --year {year} --export-dir {export_dir}"
    )


def _published(conn: duckdb.DuckDBPyConnection, year: int, run_history: bool = False) -> list[tuple[str, list[str]]]:
    """(folder, files) of each export of the year's latest run (runs.published_exports): those of
    the year's results, or with `run_history` those of RUN_HISTORY_EXPORTS."""
    exists = conn.execute(
        "select count(*) from information_schema.columns where table_schema = 'runs' and table_name = 'published_exports'"
        " and column_name = 'export_dir'"
    ).fetchone()[0]
    if not exists:
        return []
    rows = conn.execute(
        f"""select export_dir, files from runs.published_exports
            where data_year = ? and export_dir is not null and export {"" if run_history else "not"} in (select unnest(?::varchar[]))
            order by export""",
        [year, list(RUN_HISTORY_EXPORTS)],
    ).fetchall()
    return [(folder, json.loads(files)) for folder, files in rows]


# Exports that describe the year's computations rather than its results: 变更对比 compares the
# latest computation with the one before, which a computation run again on the same inputs changes.
RUN_HISTORY_EXPORTS = ("changes",)
# When a workbook was created and modified (its document properties): its results' computation
# time, which a computation run again on the same inputs changes without changing what people read.
_WORKBOOK_PROPERTIES = "docProps/core.xml"
_WORKBOOK_TIMES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def _sha256(path: Path) -> str:
    """The file's sha256; a workbook's is that of its parts, their names and bytes, its creation
    and modification times left out (a workbook that cannot be read so: its bytes')."""
    if path.suffix.lower() == ".xlsx":
        try:
            return _workbook_sha256(path)
        except Exception:  # damaged, or no workbook at all: its bytes say it differs
            pass
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _workbook_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as book:
        for member in sorted(book.namelist()):
            content = book.read(member)
            if member == _WORKBOOK_PROPERTIES:
                content = _WORKBOOK_TIMES.sub(b"", content)
            digest.update(member.encode("utf-8") + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()
