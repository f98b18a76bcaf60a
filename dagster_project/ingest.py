"""Land one departmental extract in the warehouse's `raw` schema, exactly as delivered.

Every row is kept as text with its lineage (file, sha256, line number, load id, time). Headers
may be English or Chinese; files may be UTF-8 (with or without BOM) or GB18030/GBK. Parsing
values is not done here: that is the job of the dbt staging models, so that a bad value is
reported for its row instead of failing the whole file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from .contract import Extract, extracts, header_lookup, normalize_header

LINEAGE_COLUMNS = {
    "data_year": "INTEGER",
    "load_id": "VARCHAR",
    "source_file": "VARCHAR",
    "sha256": "VARCHAR",
    "line_number": "BIGINT",
    "loaded_at": "TIMESTAMP",
}


class InputError(Exception):
    """The input cannot be used at all (exit status 2): a required file or column is missing,
    or a file cannot be read. The message is bilingual and names the file and the column."""


@dataclass
class LoadSummary:
    extract: str
    data_year: int
    file: str
    load_id: str | None
    delivered: bool
    unchanged: bool = False
    rows_read: int = 0
    sha256: str | None = None
    encoding: str | None = None
    findings: list[tuple[str, str | None, str | None]] = field(default_factory=list)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema, the load bookkeeping and one table per extract (all text)."""
    conn.execute("create schema if not exists raw")
    conn.execute(
        """create table if not exists raw.loads (
            load_id varchar primary key, extract varchar, data_year integer, source_file varchar,
            source_path varchar, sha256 varchar, encoding varchar, rows_read bigint,
            delivered boolean, loaded_at timestamp)"""
    )
    conn.execute(
        """create table if not exists raw.load_issues (
            load_id varchar, extract varchar, data_year integer, source_file varchar,
            line_number bigint, check_name varchar, column_name varchar, value varchar)"""
    )
    for extract in extracts().values():
        columns = [f"{name} {kind}" for name, kind in LINEAGE_COLUMNS.items()]
        columns += [f"{c.name} VARCHAR" for c in extract.columns]
        conn.execute(f"create table if not exists raw.{extract.name} ({', '.join(columns)})")
        # a warehouse made before the contract gained a column (e.g. industry_it.specialized_year)
        for c in extract.columns:
            conn.execute(f"alter table raw.{extract.name} add column if not exists {c.name} VARCHAR")


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) for UTF-8 with or without BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise InputError(
            f"无法识别文件编码（应为 UTF-8 或 GB18030）：{path}（字节位置 {exc.start}）/ "
            f"Cannot decode {path} as UTF-8 or GB18030 (byte {exc.start})"
        ) from exc


def _record_lines(text: str) -> list[int] | None:
    """The physical line of each data record when that is not simply `record number + 1`.

    DuckDB skips blank lines and a quoted cell may span lines; only files with quotes or blank
    lines need this mapping, so ordinary files are never walked in Python.
    """
    body = text.rstrip("\r\n")
    if '"' not in body and not re.search(r"\n[ \t\r]*\n", body):
        return None
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    lines, start = [], reader.line_num + 1
    for row in reader:
        if row:
            lines.append(start)
        start = reader.line_num + 1
    return lines


def _current_load(conn: duckdb.DuckDBPyConnection, extract: str, year: int) -> tuple | None:
    return conn.execute(
        """select load_id, sha256, delivered from raw.loads where extract = ? and data_year = ?
           order by loaded_at desc, load_id desc limit 1""",
        [extract, year],
    ).fetchone()


def _new_load_id(conn: duckdb.DuckDBPyConnection, extract: str, year: int, sha256: str | None) -> str:
    (count,) = conn.execute(
        "select count(*) from raw.loads where extract = ? and data_year = ?", [extract, year]
    ).fetchone()
    return f"{year}-{extract}-{count + 1:03d}-{(sha256 or 'none')[:12]}"


def _map_header(path: Path, extract: Extract, header: list[str]) -> tuple[list[str | None], list, list]:
    """Map each delivered header cell to a contract column (None = not in the contract)."""
    lookup = header_lookup(extract)
    mapped: list[str | None] = []
    unknown: list[str] = []
    for cell in header:
        name = lookup.get(normalize_header(cell))
        if name is not None and name in mapped:
            raise InputError(
                f"{path} 的列“{cell}”与另一列同为 {name}，无法确定采用哪一列 / "
                f"{path}: column '{cell}' duplicates column {name}"
            )
        mapped.append(name)
        if name is None and cell.strip():
            unknown.append(cell.strip())
    present = {m for m in mapped if m}
    missing_required = [c for c in extract.columns if c.value_required and c.name not in present]
    if missing_required:
        names = "、".join(f"“{c.header_zh}”（{c.name}）" for c in missing_required)
        raise InputError(
            f"{path} 缺少必需列 {names} / {path} is missing required column(s) "
            + ", ".join(c.name for c in missing_required)
        )
    missing_optional = [c for c in extract.columns if not c.value_required and c.name not in present]
    return mapped, unknown, missing_optional


def ingest_extract(
    conn: duckdb.DuckDBPyConnection, extract: Extract, year: int, raw_dir: Path
) -> LoadSummary:
    """Load `<raw_dir>/<year>/<extract>.csv` as a new delivery, unless it is the one in force."""
    ensure_raw_schema(conn)
    path = Path(raw_dir) / str(year) / extract.file_name
    current = _current_load(conn, extract.name, year)
    now = datetime.now(timezone.utc).replace(tzinfo=None)

    if not path.is_file():
        if extract.required:
            raise InputError(
                f"缺少必需文件 {extract.file_name}（{extract.department_zh}）：{path} / "
                f"Required file missing: {path}"
            )
        summary = LoadSummary(extract.name, year, extract.file_name, None, delivered=False)
        if current is not None and not current[2]:
            summary.load_id, summary.unchanged = current[0], True
            return summary
        summary.load_id = _new_load_id(conn, extract.name, year, None)
        conn.execute(
            "insert into raw.loads values (?, ?, ?, ?, ?, null, null, 0, false, ?)",
            [summary.load_id, extract.name, year, extract.file_name, str(path), now],
        )
        conn.execute(
            "insert into raw.load_issues values (?, ?, ?, ?, null, 'file_not_delivered', null, null)",
            [summary.load_id, extract.name, year, extract.file_name],
        )
        summary.findings.append(("file_not_delivered", None, None))
        return summary

    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if current is not None and current[1] == sha256:
        return LoadSummary(
            extract.name, year, extract.file_name, current[0], True, unchanged=True, sha256=sha256
        )

    text, encoding = _decode(path, data)
    first_line = text.split("\n", 1)[0]
    header = next(csv.reader(io.StringIO(first_line)), [])
    if not any(cell.strip() for cell in header):
        raise InputError(f"{path} 为空或没有表头 / {path} is empty or has no header line")
    mapped, unknown, missing_optional = _map_header(path, extract, header)

    load_id = _new_load_id(conn, extract.name, year, sha256)
    summary = LoadSummary(
        extract.name, year, extract.file_name, load_id, True, sha256=sha256, encoding=encoding
    )
    with tempfile.TemporaryDirectory() as tmp:
        readable = path
        mixed_line_endings = "\r\n" in text and re.search(r"(?<!\r)\n", text) is not None
        if encoding != "utf-8" or mixed_line_endings:
            # DuckDB reads UTF-8 only without a network extension, and one kind of line ending:
            # hand it a normalised UTF-8 copy (a file edited by hand often mixes CRLF and LF).
            readable = Path(tmp) / extract.file_name
            readable.write_text(text.replace("\r\n", "\n") if mixed_line_endings else text, encoding="utf-8", newline="")
        positional = {f"c{i}": "VARCHAR" for i in range(len(header))}
        record_lines = _record_lines(text)
        line_number = "ordinality + 1" if record_lines is None else "list_extract(?::BIGINT[], ordinality)"
        params = [year, load_id, extract.file_name, sha256]
        params += [] if record_lines is None else [record_lines]
        select = [f"c{i} as {name}" for i, name in enumerate(mapped) if name]
        target = [name for name in mapped if name]
        try:
            conn.execute(
                f"""insert into raw.{extract.name}
                    (data_year, load_id, source_file, sha256, line_number, loaded_at, {', '.join(target)})
                    select ?, ?, ?, ?, {line_number}, ?, {', '.join(select)}
                    from read_csv({_sql_string(str(readable))}, header = true, auto_detect = false,
                                  columns = {positional}, delim = ',', quote = '"', escape = '"')
                    with ordinality""",
                params + [now],
            )
        except duckdb.Error as exc:
            raise InputError(
                f"无法读取 {path}（CSV 格式错误）：{exc} / Cannot read {path} as CSV: {exc}"
            ) from exc

    (summary.rows_read,) = conn.execute(
        f"select count(*) from raw.{extract.name} where load_id = ?", [load_id]
    ).fetchone()
    conn.execute(
        "insert into raw.loads values (?, ?, ?, ?, ?, ?, ?, ?, true, ?)",
        [load_id, extract.name, year, extract.file_name, str(path), sha256, encoding, summary.rows_read, now],
    )
    for column in missing_optional:
        summary.findings.append(("column_missing", column.name, None))
    for cell in unknown:
        summary.findings.append(("column_unknown", None, cell))
    for check, column, value in summary.findings:
        conn.execute(
            "insert into raw.load_issues values (?, ?, ?, ?, null, ?, ?, ?)",
            [load_id, extract.name, year, extract.file_name, check, column, value],
        )
    return summary
