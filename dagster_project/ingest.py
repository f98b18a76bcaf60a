"""Land one departmental extract in the warehouse's `raw` schema, exactly as delivered.

Every row is kept as text with its lineage (file, sha256, line number, load id, time; for a
workbook also its sheet, and the line number is the row number Excel shows). Headers may be
English or Chinese. A delivery is `<extract>.csv` (UTF-8 with or without BOM, or GB18030/GBK) or
`<extract>.xlsx` (read by xlsx_delivery.py into the same text cells), never both. Parsing
values is not done here: that is the job of the dbt staging models, so that a bad value is
reported for its row instead of failing the whole file.

One delivery is one DuckDB transaction: its rows in raw.<extract>, its raw.loads record and its
raw.load_issues rows are committed together or not at all, so a run that stops anywhere leaves
the warehouse as it was before that delivery, and the next run simply loads it again.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from . import csv_problems, delivery_folder, xlsx_delivery
from .contract import LINEAGE_COLUMNS, Extract, extracts, header_lookup, normalize_header
from .csv_problems import InputError

__all__ = ["InputError", "LoadSummary", "ensure_raw_schema", "ingest_extract"]


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
    sheet: str | None = None  # the sheet read, for a workbook delivery
    findings: list[tuple[str, str | None, str | None]] = field(default_factory=list)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema, the load bookkeeping and one table per extract (all text), and
    whatever column of them is missing. One look at the catalog first: on a warehouse that has
    them all (every delivery after the first) nothing else runs."""
    existing = set(
        conn.execute(
            # duckdb_columns() rather than information_schema.columns: the same rows, 4 times faster
            """select table_name, column_name from duckdb_columns()
               where database_name = current_database() and schema_name = 'raw'"""
        ).fetchall()
    )
    tables = {table for table, _ in existing}
    if not tables:
        conn.execute("create schema if not exists raw")
    if "loads" not in tables:
        conn.execute(
            """create table raw.loads (
                load_id varchar primary key, extract varchar, data_year integer, source_file varchar,
                source_path varchar, sha256 varchar, encoding varchar, rows_read bigint,
                delivered boolean, loaded_at timestamp, sheet varchar, contract_sha256 varchar)"""
        )
    if "load_issues" not in tables:
        conn.execute(
            """create table raw.load_issues (
                load_id varchar, extract varchar, data_year integer, source_file varchar,
                line_number bigint, check_name varchar, column_name varchar, value varchar)"""
        )
    for extract in extracts().values():
        if extract.name not in tables:
            columns = [f"{name} {kind}" for name, kind in LINEAGE_COLUMNS.items()]
            columns += [f"{c.name} VARCHAR" for c in extract.columns]
            conn.execute(f"create table raw.{extract.name} ({', '.join(columns)})")
    # a warehouse made before the contract gained a column (e.g. industry_it.specialized_year), or
    # before workbooks were deliveries (the sheet of the lineage and of raw.loads)
    if "loads" in tables and ("loads", "sheet") not in existing:
        conn.execute("alter table raw.loads add column sheet varchar")
    # or before a delivery was read again when its extract's contract changed (its loads then
    # carry no contract and are read again once)
    if "loads" in tables and ("loads", "contract_sha256") not in existing:
        conn.execute("alter table raw.loads add column contract_sha256 varchar")
    for extract in extracts().values():
        if extract.name in tables:
            for name in ["sheet"] + [c.name for c in extract.columns]:
                if (extract.name, name) not in existing:
                    conn.execute(f"alter table raw.{extract.name} add column {name} VARCHAR")


_BOM = b"\xef\xbb\xbf"
# A line of nothing but blanks: DuckDB skips an empty line, so the records after it may not be
# on line `record number + 1` (see _record_lines).
_BLANK_LINE = re.compile(rb"\n[ \t\r]*\n")
# An LF not after a CR, a CR not before an LF (each regex starts with a literal: the engine skips ahead)
_BARE_LF = re.compile(rb"\n(?<!\r\n)")
_BARE_CR = re.compile(rb"\r(?!\n)")
_LINE_END = re.compile(rb"\r\n?|\n")
_UTF8_SLICE = 1 << 16
# What a cell of blanks only is, in DuckDB's regular expressions (RE2): white space, and the
# Unicode space separators (the full-width space, the no-break space), as Python's isspace().
_BLANKS_SQL = r"'[\s\p{Z}]*'"
# A line of nothing but blanks (spaces, tabs, the full-width space of Chinese input methods, a
# no-break space), as a hand edit leaves at the end of a file: no record, as an empty line is
# none. DuckDB would read it as a record of one cell, a ragged row that stops the whole file.
_BLANKS_ONLY_LINE = re.compile(rb"\n((?:[ \t\x0b\x0c]|\xe3\x80\x80|\xc2\xa0)+)(?=\r?\n|\Z)")


# A file of empty cells and blank lines only (separators, quotes around nothing, white space): no
# header and no data, as an empty file (a spreadsheet saved with nothing typed in it).
EMPTY_CELLS_ONLY = re.compile(r'[\s,"]*')


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) for UTF-8 with or without BOM, else GB18030 (a superset of GBK).
    A file that starts with the UTF-8 BOM says it is UTF-8: it is not read as GB18030."""
    try:
        if data.startswith(_BOM):
            return data[3:].decode("utf-8"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        not_utf8 = exc.start
        if data.startswith(_BOM):
            position = exc.start + len(_BOM)
            line = data.count(b"\n", 0, position) + 1
            raise InputError(
                f"{path} 以 UTF-8 的 BOM 开头，但第{line}行（字节位置 {position}）不是 UTF-8 编码；{csv_problems.SAVE_AS_CSV_UTF8} / "
                f"{path} starts with a UTF-8 byte order mark but line {line} (byte {position}) is not UTF-8; "
                f"{csv_problems.SAVE_AS_CSV_UTF8_EN}",
                file=path,
                line=line,
            ) from exc
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        # where each reading fails, with its line: a UTF-8 file with one stray byte fails as
        # GB18030 long before that byte, so the UTF-8 place is named first
        utf8_line, gb_line = data.count(b"\n", 0, not_utf8) + 1, data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"无法识别文件编码（应为 UTF-8 或 GB18030）：{path}；按 UTF-8 读，第{utf8_line}行（字节位置 {not_utf8}）出错；"
            f"按 GB18030 读，第{gb_line}行（字节位置 {exc.start}）出错；{csv_problems.SAVE_AS_CSV_UTF8} / "
            f"Cannot decode {path}: as UTF-8 at line {utf8_line} (byte {not_utf8}), as GB18030 at line {gb_line} "
            f"(byte {exc.start}); {csv_problems.SAVE_AS_CSV_UTF8_EN}",
            file=path,
            line=utf8_line,
        ) from exc


def _is_utf8(data: memoryview) -> bool:
    """Whether the bytes are UTF-8, decoded slice by slice: no text of the whole file is built."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), _UTF8_SLICE):
            decoder.decode(data[start : start + _UTF8_SLICE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


@dataclass
class _CsvDelivery:
    """A CSV delivery as DuckDB reads it: UTF-8 bytes (`body`, its text from byte `start` on, after a
    BOM), one kind of line end. For a UTF-8 file with LF or CRLF line ends, by far the most common,
    that is the file itself (DuckDB skips a BOM): it is scanned as bytes, never decoded as a whole.
    Otherwise (GB18030, bare-CR line ends, CRLF mixed with LF) it is a normalised copy, `copy`."""

    path: Path
    encoding: str
    body: bytes
    start: int = 0
    copy: bool = False
    decoded: str | None = None

    @property
    def text(self) -> str:
        """The text as Python's csv module walks it (decoded only when needed: a file without a
        header, a file whose records are not one per line, a file DuckDB refuses)."""
        if self.decoded is None:
            self.decoded = self.body[self.start :].decode("utf-8")
        return self.decoded

    def header_text(self) -> str:
        """The header record: its first line, and the lines after it while a quote is open (a
        header cell with a line break in it, as Alt+Enter makes in Excel)."""
        body, end = self.body, self.body.find(b"\n", self.start)
        quotes = body.count(b'"', self.start, end if end >= 0 else len(body))
        while end >= 0 and quotes % 2:
            following = body.find(b"\n", end + 1)
            quotes += body.count(b'"', end, following if following >= 0 else len(body))
            end = following
        if quotes % 2:
            raise InputError(
                f"{self.path} 第1行：表头中的英文双引号未闭合 / {self.path} line 1: a quote in the header is opened and never closed",
                file=self.path,
                line=1,
            )
        return body[self.start : end if end >= 0 else len(body)].rstrip(b"\r").decode("utf-8")


def _header_line_end(data: bytes, start: int) -> bytes | None:
    """The first line end outside quotes (CR, LF or CRLF): the one that ends the header record."""
    quotes, after = 0, start
    for found in _LINE_END.finditer(data, start):
        quotes += data.count(b'"', after, found.start())
        if quotes % 2 == 0:
            return found.group()
        after = found.start()
    return None


def _csv_delivery(path: Path, data: bytes) -> _CsvDelivery:
    """The delivered bytes as DuckDB can read them (see _CsvDelivery). Byte scans suffice: in UTF-8
    and in GB18030 alike, CR, LF and the double quote are never part of another character."""
    start = len(_BOM) if data.startswith(_BOM) else 0
    text = None
    if _is_utf8(memoryview(data)[start:]):
        encoding = "utf-8-sig" if start else "utf-8"
    else:
        text, encoding = _decode(path, data)
    # Excel for Mac's "CSV (Macintosh)" ends every line with a bare CR: read those as line ends.
    # How the header line ends tells, not the absence of LF: a quoted cell may hold a line feed.
    cr_line_ends = _header_line_end(data, start) == b"\r"
    # DuckDB reads one kind of line ending; a file edited by hand often mixes CRLF and LF
    mixed_line_endings = b"\r" in data and b"\r\n" in data and _BARE_LF.search(data) is not None
    if text is None and not cr_line_ends and not mixed_line_endings:
        emptied = _emptied_blank_lines(data, start)
        return _CsvDelivery(path, encoding, data, start) if emptied is None else _CsvDelivery(path, encoding, emptied, start, copy=True)
    if text is None:
        text = data[start:].decode("utf-8")
    if cr_line_ends:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # DuckDB reads UTF-8 only without a network extension: it reads a normalised UTF-8 copy
    body = (text.replace("\r\n", "\n") if mixed_line_endings else text).encode("utf-8")
    emptied = _emptied_blank_lines(body, 0)
    if emptied is not None:
        return _CsvDelivery(path, encoding, emptied, copy=True)
    return _CsvDelivery(path, encoding, body, copy=True, decoded=text)


def _emptied_blank_lines(body: bytes, start: int) -> bytes | None:
    """`body` with every line of blanks only emptied, the line itself kept (the lines after it keep
    their numbers), except inside a quoted cell, where the blanks are part of the value. None when
    there is no such line (nearly always: one scan, no copy)."""
    kept, copied, counted, quotes = [], start, start, 0
    for found in _BLANKS_ONLY_LINE.finditer(body, start):
        quotes += body.count(b'"', counted, found.start())
        counted = found.start()
        if quotes % 2 == 0:
            kept.append(body[copied : found.start(1)])
            copied = found.end(1)
    if copied == start:
        return None
    return body[:start] + b"".join(kept) + body[copied:]


def _record_lines(conn, delivery: _CsvDelivery, source: str, header: list[str]) -> list[int] | None:
    """The physical line of each data record when that is not simply `record number + 1`.

    DuckDB skips blank lines and a quoted cell may span lines; only a file with quotes or blank
    lines can need this mapping. Such a file needs it only if DuckDB reads fewer records than it
    has lines (header and records each take one line at least, so as many records as lines after
    the header means one record per line, none skipped): only then is it walked in Python. A bare
    CR, which DuckDB and Python's csv module may not read alike, is always walked."""
    body, start, end = delivery.body, delivery.start, len(delivery.body)
    while end > start and body[end - 1] in b"\r\n":
        end -= 1
    if body.find(b'"', start, end) < 0 and not _BLANK_LINE.search(body, start, end):
        return None
    if not _BARE_CR.search(body, start, end):
        (records,) = conn.execute(f"select count(*) from {source}").fetchone()
        lines = body.count(b"\n", start, end) + 1
        if records + 1 == lines:
            return None
    text, path = delivery.text, delivery.path
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    lines, line = [], reader.line_num + 1
    try:
        for row in reader:
            if row:
                lines.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise csv_problems.diagnose(path, text, header) or csv_problems.duckdb_error(path, exc) from exc
    return lines


def _map_header(
    path: Path, extract: Extract, header: list[str], sheet: str | None = None, line: int = 1
) -> tuple[list[str | None], list, list]:
    """Map each delivered header cell to a contract column (None = not in the contract). `sheet`
    and `line`: where a workbook's header row is."""
    lookup = header_lookup(extract)
    where_zh, where_en = (f"{path} 工作表“{sheet}”", f"{path} sheet '{sheet}'") if sheet else (str(path), str(path))
    mapped: list[str | None] = []
    unknown: list[str] = []
    for cell in header:
        name = lookup.get(normalize_header(cell))
        if name is not None and name in mapped:
            raise InputError(
                f"{where_zh} 的列“{cell}”与另一列同为 {name}，无法确定采用哪一列 / {where_en}: column '{cell}' duplicates column {name}",
                file=path,
                line=line,
                column=cell,
            )
        mapped.append(name)
        if name is None and cell.strip():
            unknown.append(cell.strip())
    present = {m for m in mapped if m}
    missing_required = [c for c in extract.columns if c.value_required and c.name not in present]
    if missing_required:
        names = "、".join(f"“{c.header_zh}”（{c.name}）" for c in missing_required)
        hint_zh, hint_en = "", ""
        if sheet:
            hint_zh = f"（第{line}行应为表头；数据应填在名为“{extract.name}”的工作表或第一个工作表中，第一行为表头）"
            hint_en = f" (row {line} should be the header; the data belongs in the sheet named '{extract.name}' or the first sheet)"
        elif not present:  # no column of the contract at all: something stands above the header
            hint_zh = "（第1行应为表头：请删除表头上方的标题行或“sep=,”行）"
            hint_en = " (line 1 should be the header: remove a title or 'sep=,' line above it)"
        raise InputError(
            f"{where_zh} 缺少必需列 {names}{hint_zh} / {where_en} is missing required column(s) "
            + ", ".join(c.name for c in missing_required)
            + hint_en,
            file=path,
            line=line,
            column=", ".join(c.name for c in missing_required),
        )
    missing_optional = [c for c in extract.columns if not c.value_required and c.name not in present]
    return mapped, unknown, missing_optional


def current_delivery(conn: duckdb.DuckDBPyConnection, extract: str, year: int) -> str | None:
    """The load id of the delivery in force of an extract for the year; None when not delivered."""
    current = _current_load(conn, extract, year)
    return current[0] if current and current[2] else None


def _current_load(conn: duckdb.DuckDBPyConnection, extract: str, year: int) -> tuple | None:
    # fetched to the end: DuckDB refuses to register the rows of a workbook on a connection with
    # a result left unfinished
    rows = conn.execute(
        """select load_id, sha256, delivered, loaded_at, contract_sha256 from raw.loads where extract = ? and data_year = ?
           order by loaded_at desc, load_id desc limit 1""",
        [extract, year],
    ).fetchall()
    return rows[0] if rows else None


def _load_time(current: tuple | None) -> datetime:
    """Now, in UTC; never earlier than the delivery in force (a clock set back must not make an
    older delivery the latest one)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    if current is not None and current[3] is not None and now <= current[3]:
        now = current[3] + timedelta(microseconds=1)
    return now


def _new_load_id(extract: str, year: int, loaded_at: datetime) -> str:
    """`<year>-<extract>-<loaded_at>-<random>`: readable, sorted like loaded_at, and never
    repeated, also by a retry after a run that stopped before its load was committed."""
    return f"{year}-{extract}-{loaded_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"


def _remove_orphans(conn: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    """Rows and findings of a load that has no raw.loads record: left by a run that stopped
    between its statements before deliveries were transactions. They never count; removing
    them lets the same file be delivered again."""
    conn.execute(
        f"""delete from raw.{extract.name}
            where load_id in (select distinct load_id from raw.{extract.name}
                              except select load_id from raw.loads)"""
    )
    conn.execute(
        """delete from raw.load_issues
           where extract = ? and load_id is not null and load_id not in (select load_id from raw.loads)""",
        [extract.name],
    )


def _record_unexpected_files(conn: duckdb.DuckDBPyConnection, extract: Extract, year: int, folder: Path) -> None:
    """Replace this extract's findings about files in the year folder that are not part of the
    contract (load_id null: they belong to no delivery). Each run of the year rewrites them, so
    a file removed since is no longer reported."""
    conn.execute(
        "delete from raw.load_issues where load_id is null and extract = ? and data_year = ? and check_name = ?",
        [extract.name, year, delivery_folder.CHECK_NAME],
    )
    for entry in delivery_folder.unexpected_entries(folder):
        if entry.extract.name == extract.name:
            conn.execute(
                "insert into raw.load_issues values (null, ?, ?, ?, null, ?, null, ?)",
                [extract.name, year, entry.name, delivery_folder.CHECK_NAME, entry.rename_to],
            )


def missing_required_files(chosen: list[Extract], year: int, raw_dir: Path) -> None:
    """Raise one InputError naming every required file the year folder lacks, before anything is
    loaded: the departments hear at once of all they still have to deliver."""
    folder = Path(raw_dir) / str(year)
    missing = [e for e in chosen if e.required and not delivery_folder.delivered_files(folder, e)]
    if missing:
        texts = [_missing_file_texts(extract, folder / extract.file_name) for extract in missing]
        raise InputError("；".join(zh for zh, _ in texts) + " / " + "; ".join(en for _, en in texts), file=folder / missing[0].file_name)


def _missing_file_texts(extract: Extract, path: Path) -> tuple[str, str]:
    similar = [e.name for e in delivery_folder.unexpected_entries(path.parent) if e.resembles and e.extract == extract]
    named = f"{extract.file_name} 或 {extract.workbook_name}"
    hint_zh = f"；文件夹中有 {'、'.join(similar)}，但文件名须为 {named}" if similar else ""
    hint_en = f"; found {', '.join(similar)}, but the file must be named {extract.file_name} or {extract.workbook_name}" if similar else ""
    return (
        f"缺少必需文件 {named}（{extract.department_zh}）：{path}{hint_zh}",
        f"Required file missing: {path} (or {extract.workbook_name}){hint_en}",
    )


def _missing_file_error(extract: Extract, path: Path) -> InputError:
    zh, en = _missing_file_texts(extract, path)
    return InputError(f"{zh} / {en}", file=path)


def _delivered_twice_error(extract: Extract, files: list[Path]) -> InputError:
    first, second = files
    return InputError(
        f"{extract.department_zh}的同一份报送（{extract.title_zh}）有两个文件：{first} 和 {second}，无法确定采用哪一份；"
        f"请删除或移走其中一个后重新运行 / {extract.name} is delivered twice, as {first} and {second}: "
        "remove or move one of them and run again",
        file=first,
    )


def ingest_extract(conn: duckdb.DuckDBPyConnection, extract: Extract, year: int, raw_dir: Path) -> LoadSummary:
    """Load `<raw_dir>/<year>/<extract>.csv` as a new delivery, unless it is the one in force.

    Everything this writes is one transaction: on any error, nothing of it remains."""
    ensure_raw_schema(conn)
    conn.execute("begin transaction")
    try:
        summary = _ingest(conn, extract, year, Path(raw_dir))
        conn.execute("commit")
    except BaseException:
        rollback(conn)
        raise
    return summary


def rollback(conn: duckdb.DuckDBPyConnection) -> None:
    """Undo the open transaction. A commit that failed has already ended it in DuckDB; then
    there is nothing left to undo."""
    try:
        conn.execute("rollback")
    except duckdb.TransactionException:
        pass


def _ingest(conn: duckdb.DuckDBPyConnection, extract: Extract, year: int, raw_dir: Path) -> LoadSummary:
    folder = raw_dir / str(year)
    _remove_orphans(conn, extract)
    _record_unexpected_files(conn, extract, year, folder)
    current = _current_load(conn, extract.name, year)
    now = _load_time(current)

    files = delivery_folder.delivered_files(folder, extract)
    if len(files) > 1:
        raise _delivered_twice_error(extract, files)
    if not files:
        path = folder / extract.file_name
        if extract.required:
            raise _missing_file_error(extract, path)
        summary = LoadSummary(extract.name, year, extract.file_name, None, delivered=False)
        if current is not None and not current[2]:
            summary.load_id, summary.unchanged = current[0], True
            return summary
        summary.load_id = _new_load_id(extract.name, year, now)
        conn.execute(
            "insert into raw.loads values (?, ?, ?, ?, ?, null, null, 0, false, ?, null, ?)",
            [summary.load_id, extract.name, year, extract.file_name, str(path), now, extract.contract_sha256],
        )
        summary.findings.append(("file_not_delivered", None, None))
        _record_findings(conn, summary)
        return summary

    (path,) = files
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    # the same bytes read under the same contract give the same rows and findings: a file is read
    # again when its extract's columns or headers changed in data/seeds, not only when it changed
    if current is not None and current[1] == sha256 and current[4] == extract.contract_sha256:
        return LoadSummary(extract.name, year, path.name, current[0], True, unchanged=True, sha256=sha256)
    if path.name == extract.workbook_name:
        return _ingest_workbook(conn, extract, year, path, data, sha256, now)

    csv_problems.check_bytes(path, data)
    csv_problems.check_nul(path, data)
    delivery = _csv_delivery(path, data)
    header_text = delivery.header_text()
    try:
        header = next(csv.reader(io.StringIO(header_text)), [])
    except csv.Error as exc:
        raise InputError(
            f"{path} 第1行：表头不能按 CSV 读取（{exc}） / {path} line 1: the header is not readable as CSV ({exc})", file=path, line=1
        ) from exc
    if not any(cell.strip() for cell in header):
        if EMPTY_CELLS_ONLY.fullmatch(delivery.text) is None:  # lines below it: the header is not where the contract has it
            raise InputError(
                f"{path} 第1行没有列名：表头须在第一行，请删去表头之前的空行后重新报送 / "
                f"{path} line 1 holds no column names: the header must be the first line",
                file=path,
                line=1,
            )
        if extract.required:
            raise InputError(f"{path} 为空：没有表头，也没有数据行 / {path} is empty: no header line, no rows", file=path, line=1)
        return _empty_delivery(conn, extract, year, path, sha256, now, encoding=delivery.encoding)
    csv_problems.check_delimiter(path, header_text, header_lookup(extract), normalize_header)
    mapped, unknown, missing_optional = _map_header(path, extract, header)

    summary = LoadSummary(
        extract.name, year, path.name, _new_load_id(extract.name, year, now), True, sha256=sha256, encoding=delivery.encoding
    )
    rows = _insert_rows(conn, extract, delivery, header, mapped, summary, year, now)
    return _finish(conn, extract, path, summary, mapped, unknown, missing_optional, now, rows)


def _ingest_workbook(
    conn: duckdb.DuckDBPyConnection, extract: Extract, year: int, path: Path, data: bytes, sha256: str, now: datetime
) -> LoadSummary:
    """A workbook delivery: its extract's sheet (xlsx_delivery.read_sheet) with the checks of a CSV."""
    sheet = xlsx_delivery.read_sheet(path, data, extract.name)
    if sheet.header_row is None:
        if extract.required:
            raise InputError(
                f"{path} 工作表“{sheet.name}”为空或没有表头 / {path} sheet '{sheet.name}' is empty or has no header line", file=path, line=1
            )
        return _empty_delivery(conn, extract, year, path, sha256, now, sheet=sheet.name)
    mapped, unknown, missing_optional = _map_header(path, extract, sheet.header, sheet.name, sheet.header_row)
    columns = {index: name for index, name in enumerate(mapped) if name}
    problems = [
        cell for cell in xlsx_delivery.problem_cells(path, data, sheet.name) if cell.column in columns and cell.row > sheet.header_row
    ]
    if problems:
        headers = {c.name: c.header_zh for c in extract.columns}
        raise xlsx_delivery.problem_error(path, sheet.name, problems, {i: (n, headers[n]) for i, n in columns.items()})

    summary = LoadSummary(extract.name, year, path.name, _new_load_id(extract.name, year, now), True, sha256=sha256)
    summary.sheet = sheet.name
    # one sheet is the delivery; another visible sheet with headers of the contract (a copy of the
    # sheet, another year's data) is said, not silently ignored; a sheet of notes is no news
    lookup = header_lookup(extract)
    not_read = [name for name, rows in sheet.others.items() if any(normalize_header(cell) in lookup for row in rows for cell in row)]
    if not_read:
        summary.findings.append(("sheets_not_read", None, "、".join(f"“{name}”" for name in not_read)))
    # a value typed beside the table, in a column with no header, is not used: said, not lost
    # (a CSV line with more cells than its header stops the run; a sheet has room to the right)
    for index in (i for i, text in enumerate(sheet.header) if not text.strip()):
        cells = [f"{xlsx_delivery.column_letters(index)}{number}" for number, texts in sheet.rows if texts[index] and texts[index].strip()]
        if cells:
            summary.findings.append(_cells_without_header(cells[:5], len(cells)))
    # the rows in one go, as an Arrow table DuckDB reads (no insert per row)
    rows = pa.table(
        {"line_number": pa.array([number for number, _ in sheet.rows], pa.int64())}
        | {name: pa.array([cells[index] for _, cells in sheet.rows], pa.string()) for index, name in columns.items()}
    )
    view = f"mujun_workbook_rows_{uuid.uuid4().hex}"
    target = ", ".join(columns.values())
    conn.register(view, rows)
    try:
        (inserted,) = conn.execute(
            f"""insert into raw.{extract.name} (data_year, load_id, source_file, sheet, sha256, line_number, loaded_at, {target})
                select ?, ?, ?, ?, ?, line_number, ?, {", ".join(f'"{name}"' for name in columns.values())} from {view}""",
            [year, summary.load_id, path.name, sheet.name, sha256, now],
        ).fetchone()
    finally:
        conn.unregister(view)
    return _finish(conn, extract, path, summary, mapped, unknown, missing_optional, now, inserted)


def _empty_delivery(
    conn, extract: Extract, year: int, path: Path, sha256: str, now: datetime, encoding: str | None = None, sheet: str | None = None
) -> LoadSummary:
    """An optional file left empty: delivered, with nothing to report (as with a header only)."""
    summary = LoadSummary(extract.name, year, path.name, _new_load_id(extract.name, year, now), True, sha256=sha256, encoding=encoding)
    summary.sheet = sheet
    summary.findings.append(("file_empty", None, None))
    conn.execute(
        "insert into raw.loads values (?, ?, ?, ?, ?, ?, ?, 0, true, ?, ?, ?)",
        [summary.load_id, extract.name, year, path.name, str(path), sha256, encoding, now, sheet, extract.contract_sha256],
    )
    _record_findings(conn, summary)
    return summary


def _finish(
    conn,
    extract: Extract,
    path: Path,
    summary: LoadSummary,
    mapped: list[str | None],
    unknown: list,
    missing_optional: list,
    now: datetime,
    rows: int,
) -> LoadSummary:
    """After the `rows` (as counted by their insert) are in: the cell sizes, the load record and
    the findings."""
    _check_cell_sizes(conn, extract, path, [name for name in mapped if name], summary.load_id)
    summary.rows_read = rows
    if summary.rows_read == 0:
        if extract.required:
            raise InputError(
                f"必需文件 {path.name}（{extract.department_zh}）只有表头，没有数据行：{path} / "
                f"Required file {path} has a header but no data rows",
                file=path,
            )
        # An optional file with a header only: delivered, with nothing to report (a warning).
        summary.findings.append(("file_empty", None, None))
    conn.execute(
        "insert into raw.loads values (?, ?, ?, ?, ?, ?, ?, ?, true, ?, ?, ?)",
        [
            summary.load_id,
            extract.name,
            summary.data_year,
            path.name,
            str(path),
            summary.sha256,
            summary.encoding,
            summary.rows_read,
            now,
            summary.sheet,
            extract.contract_sha256,
        ],
    )
    for column in missing_optional:
        summary.findings.append(("column_missing", column.name, None))
    for cell in unknown:
        summary.findings.append(("column_unknown", None, cell))
    _record_findings(conn, summary)
    return summary


def _record_findings(conn: duckdb.DuckDBPyConnection, summary: LoadSummary) -> None:
    for check, column, value in summary.findings:
        conn.execute(
            "insert into raw.load_issues values (?, ?, ?, ?, null, ?, ?, ?)",
            [summary.load_id, summary.extract, summary.data_year, summary.file, check, column, value],
        )


def _insert_rows(
    conn,
    extract: Extract,
    delivery: _CsvDelivery,
    header: list[str],
    mapped: list[str | None],
    summary: LoadSummary,
    year: int,
    now: datetime,
) -> int:
    """Every record as text, with its physical line number, read by DuckDB in one statement that
    also leaves out the lines of empty cells. Returns the number of rows inserted."""
    path = delivery.path
    with tempfile.TemporaryDirectory() as tmp:
        readable = path
        if delivery.copy:
            readable = Path(tmp) / extract.file_name
            readable.write_bytes(delivery.body)
        positional = {f"c{i}": "VARCHAR" for i in range(len(header))}
        source = f"""read_csv({_sql_string(str(readable))}, header = true, auto_detect = false,
                              columns = {positional}, delim = ',', quote = '"', escape = '"',
                              max_line_size = {csv_problems.MAX_LINE_BYTES})"""
        params = [year, summary.load_id, extract.file_name, summary.sha256]
        select = [f"c{i} as {name}" for i, name in enumerate(mapped) if name]
        target = [name for name in mapped if name]
        try:
            record_lines = _record_lines(conn, delivery, source, header)
            line_number = "ordinality + 1" if record_lines is None else "list_extract(?::BIGINT[], ordinality)"
            params += [] if record_lines is None else [record_lines]
            (inserted,) = conn.execute(
                f"""insert into raw.{extract.name}
                    (data_year, load_id, source_file, sha256, line_number, loaded_at, {", ".join(target)})
                    select ?, ?, ?, ?, {line_number}, ?, {", ".join(select)}
                    from {source} with ordinality
                    -- a line of empty cells (",,,," as Excel leaves below a table) is a blank
                    -- line, not a record: skipped like one, its neighbours keep their numbers
                    -- (a cell at a time: DuckDB looks no further than the first one not blank);
                    -- blanks are those of a workbook's blank row (xlsx_delivery.read_sheet):
                    -- the full-width and the no-break space too
                    where {" or ".join(f"not regexp_full_match(c{i}, {_BLANKS_SQL})" for i in range(len(header)))}""",
                params + [now],
            ).fetchone()
            # a value under a blank header cell is not used: said, not lost (as in a workbook)
            for index in (i for i, text in enumerate(header) if not text.strip()):
                (count, lines) = conn.execute(
                    f"""select count(*), list({line_number} order by ordinality)[1:5] from {source} with ordinality
                        where not regexp_full_match(c{index}, {_BLANKS_SQL})""",
                    params[4:],
                ).fetchone()
                if count:
                    summary.findings.append(_cells_without_header([f"{xlsx_delivery.column_letters(index)}{n}" for n in lines], count))
        except duckdb.Error as exc:
            # Say which line breaks the file (walked in Python only now that it is known to fail).
            raise csv_problems.diagnose(path, delivery.text, header) or csv_problems.duckdb_error(path, exc) from exc
    return inserted


def _cells_without_header(cells: list[str], count: int) -> tuple[str, None, str]:
    """The finding of values in a column without a header: the first cells (as Excel names them),
    and how many there are when there are more."""
    more = f" 等 {count} 个 / {count} cells" if count > len(cells) else ""
    return ("cell_without_header", None, "、".join(cells) + more)


def _check_cell_sizes(conn, extract: Extract, path: Path, columns: list[str], load_id: str) -> None:
    """A cell longer than any spreadsheet cell makes the file unusable (see csv_problems)."""
    lengths = ", ".join(f"coalesce(length({c}), 0)" for c in columns)
    row = conn.execute(
        f"""select line_number, [{lengths}] from raw.{extract.name}
            where load_id = ? and greatest({lengths}) > {csv_problems.MAX_CELL_CHARS}
            order by line_number limit 1""",
        [load_id],
    ).fetchone()
    if row is not None:
        line, sizes = row
        index = max(range(len(columns)), key=lambda i: sizes[i])
        raise csv_problems.oversized_cell(path, line, columns[index], sizes[index])
