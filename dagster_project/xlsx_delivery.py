"""Read a delivered Excel workbook (`<extract>.xlsx`) as the text rows the CSV path sees.

A department may deliver its extract as the template `mujun templates` wrote for it, filled in,
or as any `.xlsx` whose first row holds the contract's headers (English or Chinese). The sheet
read is the one named like the extract (`tax`, as in the template), else the first visible
worksheet. Cells become the text a CSV saved from Excel would hold: numbers as Excel shows them
(15 significant digits: 1234.5, never 1234.4999999; whole numbers without `.0`), dates as
`YYYY-MM-DD`, TRUE/FALSE as that text, empty cells empty. Each row keeps the row number people see
in Excel. Parsing values is then the dbt staging models' job, exactly as for a CSV.

Values are read with python-calamine, in a process of its own under a memory ceiling
(xlsx_sheets.py, contained.py): a crafted or stray far cell aborts that process, never the run's,
and is said. What calamine does not say is read from the sheet's XML
only when a fast byte search finds it there: a formula (its cached value may be stale or absent,
and a delivery is data, not a computation) or an error value (`#DIV/0!`, which calamine reads as
an empty cell) makes the file unusable, with the file, sheet, row and column named.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

from . import contained, xlsx_sheets
from .csv_problems import InputError
from .xlsx_sheets import column_index

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 files, and encrypted OOXML
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # the stream a password-protected .xlsx holds
# Excel keeps 15 significant digits of a number; more are float artefacts of the binary value.
SIGNIFICANT_DIGITS = 15
SAVE_AS_XLSX = "请在 Excel 中打开，“另存为”→ 文件类型选“Excel 工作簿(*.xlsx)”，保存后重新运行"
SAVE_AS_XLSX_EN = "open it in Excel, Save As -> file type 'Excel Workbook' (.xlsx), and run again"
# A formula (an element `f`, with or without a namespace prefix) or an error value (`t="e"`) in a
# sheet's XML. Each is looked for only where a cheaper search finds a hint of it: an `f` after `<`
# or `:` (a literal first character lets the regex engine skip ahead), the bytes `t="e"`.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_HINT = re.compile(rb"f(?<=[<:]f)[\s>/]")
_ERROR = re.compile(rb"\st=\"e\"")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


@dataclass
class SheetRows:
    """One sheet as text: its header row and its data rows, each with its Excel row number."""

    name: str
    header_row: int | None  # None: the sheet holds no cell at all
    header: list[str]
    rows: list[tuple[int, list[str | None]]]
    # the first rows of each other visible worksheet (as text), to tell a sheet of notes from data
    # left beside the delivery
    others: dict[str, list[list[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class ProblemCell:
    row: int  # Excel row number
    column: int  # 0-based
    kind: str  # "formula" or "error"
    text: str  # the formula, or the error value

    @property
    def ref(self) -> str:
        return f"{column_letters(self.column)}{self.row}"


def column_letters(index: int) -> str:
    """A, B, …, Z, AA, … for the 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_text(value) -> str | None:
    """A cell as the text a CSV saved from Excel would hold; None for an empty cell."""
    kind = type(value)  # the two kinds nearly every cell is, first
    if kind is str:
        return value if value != "" else None
    if kind is float:
        return number_text(value)
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def number_text(value: float) -> str:
    """A number as Excel shows it: 15 significant digits, positional (1234.5, 0.00001, 240), in
    exponent form only where Excel uses it too (10^15 and beyond, below 10^-6): a USCC or code that
    Excel turned into a number reads `9.1110108e+17`, which no parser takes for a code."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude < 10**SIGNIFICANT_DIGITS:
        # The quick ways to the same text. A whole number below 10^15 has 15 digits at most. Any
        # other number from 10^-4 on is written positionally by repr(), in the fewest digits that
        # read back as the value: when those are 15 or fewer, rounding to 15 gives the same digits.
        if value.is_integer():
            return str(int(value))
        if magnitude >= 1e-4:
            shortest = repr(value)
            if len(shortest.replace("-", "").replace(".", "").lstrip("0")) <= SIGNIFICANT_DIGITS:
                return shortest
    rounded = f"{value:.{SIGNIFICANT_DIGITS}g}"
    if 1e-6 <= abs(value) < 10**SIGNIFICANT_DIGITS:
        return format(Decimal(rounded), "f")
    return rounded


def check_bytes(path: Path, data: bytes) -> None:
    """A file named .xlsx that is not one: an old .xls, a password-protected workbook, text."""
    if data.startswith(_ZIP):
        return
    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            raise InputError(
                f"{path} 设置了打开密码（已加密），无法读取；请在 Excel 中打开，“文件 → 信息 → 保护工作簿 → 用密码进行加密”，"
                f"删除密码后保存，再重新运行 / {path} is password-protected (encrypted) and cannot be read; remove the "
                "password (File > Info > Protect Workbook > Encrypt with Password), save and run again",
                file=path,
            )
        raise InputError(
            f"{path} 是旧版 Excel 97-2003 工作簿（.xls），只是扩展名改成了 .xlsx；{SAVE_AS_XLSX} / "
            f"{path} is an Excel 97-2003 workbook (.xls) renamed to .xlsx; {SAVE_AS_XLSX_EN}",
            file=path,
        )
    raise InputError(
        f"{path} 不是 Excel 工作簿（.xlsx），可能已损坏或是改了扩展名的其他文件；{SAVE_AS_XLSX} / "
        f"{path} is not an Excel workbook (.xlsx): damaged, or another kind of file renamed; {SAVE_AS_XLSX_EN}",
        file=path,
    )


def _unreadable(path: Path, error: Exception) -> InputError:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return InputError(
        f"无法读取 Excel 工作簿 {path}（文件已损坏：{reason}）；{SAVE_AS_XLSX} / "
        f"Cannot read the Excel workbook {path} (damaged: {reason}); {SAVE_AS_XLSX_EN}",
        file=path,
    )


def read_sheet(path: Path, data: bytes, extract_name: str) -> SheetRows:
    """The extract's sheet of the workbook as text rows (xlsx_sheets.load: the visible worksheet
    named like the extract, else the first visible one), read in a process of its own under a
    memory ceiling (contained.py). The header is the first row that holds anything; blank rows
    below it are skipped (their neighbours keep their row numbers). The first rows of the other
    visible worksheets come along in `others`."""
    check_bytes(path, data)
    try:
        sheets = contained.run(xlsx_sheets.__name__, data, extract_name)
    except xlsx_sheets.Unreadable as exc:
        raise _unreadable(path, exc) from None
    except xlsx_sheets.NoWorksheet:
        raise InputError(f"{path} 中没有工作表 / {path} holds no worksheet", file=path) from None
    except xlsx_sheets.FarCell as far:
        raise _far_cell_error(path, far) from None
    except MemoryError:
        raise _too_large_error(path) from None
    except contained.ProcessEnded as ended:
        raise (_too_large_error(path) if ended.out_of_memory else _reader_ended_error(path, ended.said)) from None
    name, values = sheets.name, sheets.values
    others = {other: [[cell_text(v) or "" for v in cells] for cells in rows] for other, rows in sheets.others.items()}
    header_row, header, rows = None, [], []
    for index, cells in enumerate(values):
        # a text cell as it is, without a call (most cells are text; an empty one is None)
        texts = [v if type(v) is str and v else cell_text(v) for v in cells]
        if not any(t and not t.isspace() for t in texts):
            continue  # a blank row: before the header, or between records
        if header_row is None:
            header_row, header = index + 1, [t or "" for t in texts]
        else:
            rows.append((index + 1, texts))
    return SheetRows(name, header_row, header, rows, others)


def _far_cell_error(path: Path, far: xlsx_sheets.FarCell) -> InputError:
    return InputError(
        f"{path} 工作表“{far.sheet}”中的单元格 {far.cell} 远在表格之外：从 A1 到它共 {far.rows} 行 × {far.columns} 列，"
        f"超出可以读取的范围（{xlsx_sheets.MAX_SHEET_CELLS} 个单元格）；请在 Excel 中删除表格下方和右侧多余的行和列"
        f"（或清除该单元格）后保存，重新运行 / {path} sheet '{far.sheet}': cell {far.cell} lies far outside the table "
        f"({far.rows} rows × {far.columns} columns from A1, more than {xlsx_sheets.MAX_SHEET_CELLS} cells can be read); "
        "delete the rows and columns beyond the table, save and run again",
        file=path,
    )


def _reader_ended_error(path: Path, said: str) -> InputError:
    return InputError(
        f"读取 Excel 工作簿 {path} 的进程意外结束（{said}），未能读取；{SAVE_AS_XLSX} / "
        f"the process reading {path} ended unexpectedly ({said}); {SAVE_AS_XLSX_EN}",
        file=path,
    )


def _too_large_error(path: Path) -> InputError:
    ceiling = contained.MEMORY_CEILING // 1024**3
    return InputError(
        f"{path} 读取时所需内存超过 {ceiling} GB 的上限，未能读取：工作表中可能有远在表格之外的单元格，或文件内容异常庞大；"
        f"请在 Excel 中删除表格之外多余的行和列，另存为新的工作簿后重新运行 / {path} needs more than {ceiling} GB of memory "
        "to read (cells far outside the table, or an abnormally large file): delete what lies beyond the table, save as "
        "a new workbook and run again",
        file=path,
    )


def problem_cells(path: Path, data: bytes, sheet: str) -> list[ProblemCell]:
    """Every formula cell and error cell of the sheet, by row and column. A sheet without any (a
    byte search of its XML) is not walked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            part = xlsx_sheets.sheet_parts(book)[sheet]
            with book.open(part) as xml:
                if not _has_problem_cells(xml):
                    return []
            with book.open(part) as xml:
                return _problem_cells(xml)
    except Exception as exc:  # a damaged zip member (deflate data, encryption, compression method), its XML or the index
        raise _unreadable(path, exc) from exc


def _has_problem_cells(xml) -> bool:
    """Whether a formula or an error value may be in the sheet's XML, read in chunks (a sheet is
    not held whole in memory: its XML may be gigabytes)."""
    tail = b""
    while chunk := xml.read(1 << 20):
        text = tail + chunk
        if (_FORMULA_HINT.search(text) and _FORMULA.search(text)) or (b't="e"' in text and _ERROR.search(text)):
            return True
        tail = text[-64:]
    return False


def _problem_cells(xml) -> list[ProblemCell]:
    found: list[ProblemCell] = []
    row, column = 0, -1
    for event, element in ElementTree.iterparse(xml, events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "start" and tag == "row":
            row, column = int(element.get("r") or row + 1), -1
        elif event == "end" and tag == "c":
            ref = _CELL_REF.fullmatch(element.get("r") or "")
            column = column_index(ref.group(1)) if ref else column + 1
            children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
            if "f" in children:
                found.append(ProblemCell(row, column, "formula", children["f"].text or ""))
            elif element.get("t") == "e":
                found.append(ProblemCell(row, column, "error", children["v"].text if "v" in children else ""))
            element.clear()
    return found


def problem_error(path: Path, sheet: str, cells: list[ProblemCell], column_names: dict[int, tuple[str, str]]) -> InputError:
    """The first formula or error cell of the contract's columns, and how many there are.
    `column_names`: column index -> (contract column, its Chinese header)."""
    first = min(cells, key=lambda c: (c.row, c.column))
    name, header_zh = column_names[first.column]
    formulas = sum(c.kind == "formula" for c in cells)
    where_zh = f"{path} 工作表“{sheet}”第{first.row}行 列“{header_zh}”（{name}，单元格 {first.ref}）"
    where_en = f"{path} sheet '{sheet}' row {first.row} column {name} (cell {first.ref})"
    if first.kind == "formula":
        shown = f"“={first.text}”" if first.text else ""
        message = (
            f"{where_zh}是公式{shown}（共 {formulas} 个公式单元格）：报送文件只能填写数值；请选中这些单元格，复制后"
            f"“选择性粘贴 → 数值”，保存后重新运行 / {where_en} holds a formula ({formulas} formula cells in all): "
            "deliver values only (copy, Paste Special > Values), save and run again"
        )
    else:
        message = (
            f"{where_zh}是错误值 {first.text}（共 {len(cells)} 个公式或错误值单元格）：请改为正确的值或留空，保存后重新运行 / "
            f"{where_en} holds the error value {first.text} ({len(cells)} formula or error cells in all): "
            "type the right value or leave it empty, save and run again"
        )
    return InputError(message, file=path, line=first.row, column=name)
