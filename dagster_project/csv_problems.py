"""Why a delivered file cannot be read as the contract's CSV, said so a department can fix it.

Each finding is an InputError, a Dagster Failure of the kind "input unusable" (exit status 2,
exit_status.py): the whole file is unusable, because what is wrong
(its format, its delimiter, a ragged row, an unterminated quote, a cell no spreadsheet can hold)
shifts or swallows values, so no row of it can be trusted on its own. Messages are
"中文 / English" and name the file and, where there is one, the line and column.

These checks look at raw bytes or walk the file in Python only when something is already known
to be wrong (or on the first line); a well-formed file is read by DuckDB alone.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from dagster import Failure

from . import exit_status

# Excel's own limit for one cell: no department can have typed a longer value, no workbook could
# show it back, and in practice it is a quote left open that swallowed the rest of the file.
MAX_CELL_CHARS = 32767
# DuckDB reads a line of up to this many bytes; longer lines are diagnosed below.
MAX_LINE_BYTES = 8 * 1024 * 1024
# Python's csv module refuses cells over 128 KiB by default, below what DuckDB reads; the limit
# is raised (never lowered; 2^31 - 1 is the largest every platform's C long holds) so that an
# oversized cell is reported by the checks here with its line and column instead of as a bare
# "field larger than field limit".
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))

SAVE_AS_CSV_UTF8 = "请在 Excel 中打开该文件，“另存为”→ 文件类型选“CSV UTF-8（逗号分隔）(*.csv)”，保存后重新运行"
SAVE_AS_CSV_UTF8_EN = "open it in Excel, Save As -> 'CSV UTF-8 (Comma delimited) (*.csv)', and run again"

# Delimiters a spreadsheet or a hand-written export may use instead of the comma.
OTHER_DELIMITERS = {
    ";": ("分号“;”", "semicolons"),
    "\t": ("制表符（Tab）", "tabs"),
    "|": ("竖线“|”", "vertical bars"),
    "，": ("中文逗号“，”", "full-width commas"),
}


class InputError(Failure):
    """The input cannot be used at all: a required file or column is missing, or a file cannot
    be read. The message is bilingual and names the file and the column; the metadata says the
    same for machines (file, line, column) and types the failure (exit_status.INPUT)."""

    def __init__(self, message: str, *, file: Path | str | None = None, line: int | None = None, column: str | None = None):
        super().__init__(
            description=message,
            metadata=exit_status.failure_metadata(
                exit_status.INPUT, file=str(file) if file is not None else None, line=line, column=column
            ),
        )


def check_bytes(path: Path, data: bytes) -> None:
    """A spreadsheet workbook or a UTF-16/32 text saved under the `.csv` name."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        # a workbook is a delivery too, under its own name
        rename = data.startswith(b"PK\x03\x04")
        hint_zh = f"；或把文件改名为 {path.stem}.xlsx，作为 Excel 工作簿报送" if rename else ""
        hint_en = f"; or rename it to {path.stem}.xlsx to deliver it as a workbook" if rename else ""
        raise InputError(
            f"{path} 是 Excel 工作簿（.xlsx/.xls），不是 CSV 文件（仅改了扩展名）；{SAVE_AS_CSV_UTF8}{hint_zh} / "
            f"{path} is an Excel workbook (.xlsx/.xls) renamed to .csv, not a CSV file; {SAVE_AS_CSV_UTF8_EN}{hint_en}",
            file=path,
        )
    # UTF-16 (Excel's "Unicode text") and UTF-32, with a byte order mark or without one: text in
    # these encodings has NUL bytes, which no UTF-8 or GB18030 CSV contains.
    utf16_bom = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    head = data[:4096]
    if utf16_bom or head.count(0) * 20 > len(head):  # every ASCII character of UTF-16 brings a NUL
        raise InputError(
            f"{path} 是 UTF-16 编码（Excel“Unicode 文本”），不是约定的 UTF-8 或 GB18030；{SAVE_AS_CSV_UTF8} / "
            f"{path} is encoded as UTF-16 (Excel 'Unicode Text'), not UTF-8 or GB18030; {SAVE_AS_CSV_UTF8_EN}",
            file=path,
        )


def check_nul(path: Path, data: bytes) -> None:
    """A NUL byte in a text file (a damaged copy or a binary export): no cell can hold it."""
    position = data.find(b"\x00")
    if position >= 0:
        line = data.count(b"\n", 0, position) + 1
        raise InputError(
            f"{path} 第{line}行含有空字符（NUL，字节位置 {position}），文件可能已损坏或不是文本文件；{SAVE_AS_CSV_UTF8} / "
            f"{path} line {line} holds a NUL byte (byte {position}): a damaged or binary file; {SAVE_AS_CSV_UTF8_EN}",
            file=path,
            line=line,
        )


def check_delimiter(path: Path, first_line: str, known_headers: dict[str, str], normalize) -> None:
    """The header is separated by another character than the comma: say which one."""

    def hits(delimiter: str) -> int:
        cells = next(csv.reader(io.StringIO(first_line), delimiter=delimiter), [])
        return sum(normalize(cell) in known_headers for cell in cells)

    comma_hits = hits(",")
    for delimiter, (zh, en) in OTHER_DELIMITERS.items():
        if delimiter not in first_line:
            continue
        if hits(delimiter) > comma_hits or ("," not in first_line and comma_hits <= 1):
            raise InputError(
                f"{path} 的分隔符是{zh}：文件分隔符应为英文逗号“,”；{SAVE_AS_CSV_UTF8} / "
                f"{path} is separated by {en}; the contract requires commas: {SAVE_AS_CSV_UTF8_EN}",
                file=path,
                line=1,
            )


def _ragged(path: Path, line: int, found: int, width: int) -> InputError:
    more = "多" if found > width else "少"
    return InputError(
        f"{path} 第{line}行有 {found} 个单元格，表头有 {width} 列（{more}了 {abs(found - width)} 个；"
        f"名称中的英文逗号须用英文双引号括起） / {path} line {line} has {found} cells, the header {width} "
        f"(a comma inside a value must be quoted)",
        file=path,
        line=line,
    )


def oversized_cell(path: Path, line: int, column: str, length: int) -> InputError:
    return InputError(
        f"{path} 第{line}行 列“{column}”有 {length} 个字符，超过单元格上限 {MAX_CELL_CHARS}"
        f"（常见原因：英文双引号未闭合） / {path} line {line} column {column}: {length} characters, more than "
        f"a cell can hold ({MAX_CELL_CHARS}; often a quote left open)",
        file=path,
        line=line,
        column=column,
    )


def diagnose(path: Path, text: str, header: list[str]) -> InputError | None:
    """Walk the file once and return the first row that breaks the CSV structure: a ragged row,
    an oversized cell, or a quote left open (named by the line where its record starts)."""
    width = len(header)
    reader = csv.reader(io.StringIO(text), strict=True)
    next(reader, None)
    start = reader.line_num + 1
    try:
        for row in reader:
            if row:
                if len(row) != width:
                    return _ragged(path, start, len(row), width)
                for index, cell in enumerate(row):
                    if len(cell) > MAX_CELL_CHARS:
                        return oversized_cell(path, start, header[index].strip(), len(cell))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "end of data" in str(exc) or "EOF" in str(exc):
            return InputError(
                f"{path} 第{start}行：英文双引号未闭合（该行起至文件末尾都成了一个单元格） / "
                f"{path} line {start}: a quote is opened and never closed",
                file=path,
                line=start,
            )
        if "new-line character" in str(exc):
            return InputError(
                f"{path} 第{start}行：单元格中有回车符却未用英文双引号括起（常见于手工编辑或从其他系统复制） / "
                f"{path} line {start}: a cell holds a carriage return but is not quoted",
                file=path,
                line=start,
            )
        return InputError(f"{path} 第{start}行：CSV 格式错误（{exc}） / {path} line {start}: malformed CSV ({exc})", file=path, line=start)
    return None


def duckdb_error(path: Path, error: Exception) -> InputError:
    """What is left to say when DuckDB refuses a file that the walk above found no fault in: its
    first line and line number, without DuckDB's advice on reader options."""
    text = str(error)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    reason = next((row.strip() for row in text.splitlines()[1:] if row.strip() and not row.startswith("Original Line")), "")
    where = f"第{line.group(1)}行" if line else ""
    where_en = f" line {line.group(1)}" if line else ""
    return InputError(
        f"无法读取 {path}{where}（CSV 格式错误：{reason}） / Cannot read {path}{where_en} as CSV: {reason}",
        file=path,
        line=int(line.group(1)) if line else None,
    )
