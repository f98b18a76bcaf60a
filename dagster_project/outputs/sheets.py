"""Small helpers to write readable Excel sheets with xlsxwriter (streams rows: constant memory).
The workbook itself comes from safe_files, so that no text cell is ever a formula."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence, Sized
from numbers import Number
from pathlib import Path

from .safe_files import sheet_name, workbook

EXCEL_MAX_ROWS = 1_048_576
# Workbooks are for people: a sheet longer than this is not written, and the workbook says so
# (the CSV files hold every row). Set MUJUN_EXCEL_ROW_LIMIT up to Excel's own limit to write
# longer sheets; at 10^6 enterprises that costs about 100 s (benchmarks/results.md).
DEFAULT_ROW_LIMIT = 200_000


# Column widths (in characters of the default font) that an A4 page holds upright, margins
# aside: a sheet wider than this prints in landscape (and shrinks to one page wide beyond that).
PORTRAIT_WIDTH = 95
# xlsxwriter's paper code of A4.
A4 = 9
MAX_DECIMALS = 4
# A rate (a growth rounded to four decimals) shown as a percentage: 0.0377 as 3.77%.
PERCENT = "0.00%"
# The height of one line of text in the default font (points): a row of wrapped text is given
# as many lines as its longest cell needs, since neither LibreOffice nor WPS fit rows on opening.
LINE_HEIGHT = 15
# Excel's tallest row (points): a longer text is cut off on screen, but the file stays valid.
MAX_ROW_HEIGHT = 409


def lines_height(lines: int) -> float:
    """The height of a row of `lines` lines of text, at most Excel's tallest row."""
    return min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT)


# An enterprise's name: 14 Chinese characters on one line (most names), longer ones wrap
NAME_WIDTH = 32
# A 统一社会信用代码 (18 digits and capitals, a capital wider than a digit) on one line
USCC_WIDTH = 22
# A column given no width is as wide as its header, up to this; a longer header wraps.
MAX_HEADER_WIDTH = 20


class Column:
    """How one column of a table is shown: its width, and its format (a number format, or text
    that wraps at the column's width, aligned to the top of the row)."""

    def __init__(self, width: float, cell_format, wraps: bool):
        self.width, self.format, self.wraps = width, cell_format, wraps


class Book:
    """One workbook with its shared formats. Every sheet of it prints on paper as people expect:
    A4, one page wide, the header rows on every page, the workbook's heading at the top and
    "第X页/共Y页" at the bottom (see sheet() and table())."""

    def __init__(self, path: Path, heading: str | None = None, **options):
        """`options` go to safe_files.workbook (streamed, created)."""
        self.path = Path(path)
        # what each printed page says at the top: the workbook's title (its file name carries the year)
        self.heading = heading or self.path.stem.replace("_", " ")
        self.workbook = workbook(self.path, **options)
        self.formats: dict[tuple, object] = {}
        self.header = self.workbook.add_format(
            {
                "bold": True,
                "bg_color": "#EEF2F7",
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "border": 1,
                "border_color": "#BBBBBB",
            }
        )
        self.title = self.workbook.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.wrap = self.workbook.add_format({"text_wrap": True, "valign": "top"})
        self.bold = self.workbook.add_format({"bold": True, "font_size": 13})
        self.skipped: list[str] = []  # sheets left out for their length (see row_limit)

    def sheet(self, name: str, grid: bool = False):
        """A sheet with the page setup every printed sheet needs; a writer may change the paper or
        orientation after (the 附表 print on A3). `name` is made a valid sheet name (safe_files.sheet_name).
        `grid`: a sheet of tables prints its cells' gridlines, so that a row can be followed across
        a wide page (Excel prints none by default; a sheet of text needs none)."""
        name = sheet_name(name, [s.get_name() for s in self.workbook.worksheets()])
        sheet = self.workbook.add_worksheet(name)
        if grid:
            sheet.hide_gridlines(0)  # 0: hide none, on screen or on paper
        sheet.set_paper(A4)
        sheet.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
        sheet.set_header(f"&L{_header_text(self.heading)}&R{_header_text(name)}")
        sheet.set_footer("&C第&P页/共&N页")
        sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        return sheet

    def table(
        self,
        name: str,
        headers: Sequence[str],
        rows: Iterable[Sequence],
        widths: Sequence[float] | None = None,
        preamble: Sequence[str] = (),
        empty: str | None = None,
        formats: dict[int, str] | None = None,
    ):
        """A sheet with `preamble` lines (a title, a notice's terms), a one-row header repeated on
        every printed page (as tall as its longest header needs), the rows, frozen header, a
        number format per numeric column and text that wraps within its column (the row as tall
        as its text). `empty` is said under the header when there are no rows. `formats` gives some
        columns (by position) a number format of their own, such as a rate shown as a percentage.
        A list of rows too long for a sheet (row_limit) leaves a sheet with a note instead."""
        sheet = self.sheet(name, grid=True)
        if isinstance(rows, Sized) and not fits_in_excel(len(rows) + len(preamble)):
            self.skip(sheet, name, len(rows))
            return sheet
        rows = list(rows) if not isinstance(rows, list) else rows
        columns = self.columns(headers, rows, widths, formats)
        self.orient(sheet, columns)
        last = max(len(headers) - 1, 1)
        page_width = sum(c.width for c in columns)
        for index, line in enumerate(preamble):
            sheet.merge_range(index, 0, index, last, line, self.title if index == 0 else self.wrap)
            sheet.set_row(index, lines_height(2 if index == 0 else text_lines(line, page_width)))
        top = len(preamble)
        self.set_columns(sheet, columns)
        sheet.set_row(top, self.header_height(headers, columns))
        sheet.write_row(top, 0, list(headers), self.header)
        self.write_rows(sheet, top + 1, rows, columns)
        if not rows and empty:
            sheet.merge_range(top + 1, 0, top + 1, last, empty, self.wrap)
        sheet.freeze_panes(top + 1, 0)
        sheet.repeat_rows(top)
        return sheet

    def columns(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence],
        widths: Sequence[float] | None = None,
        formats: dict[int, str] | None = None,
    ) -> list[Column]:
        """The layout of a table's columns from its header, its widths and all its rows: numbers
        in the column's number format, the column wide enough for the longest; text wrapping
        within the given width (default: the header's, at most MAX_HEADER_WIDTH), so that a table
        stays as narrow as its widths say. Every row counts: a 1.5 in the 2,001st row of a column
        of whole numbers so far must not print as 2. `formats`: number formats given by position."""
        layout = []
        for index, header in enumerate(headers):
            values = [row[index] for row in rows if index < len(row)]
            given = widths[index] if widths and index < len(widths) else min(display_width(str(header)) + 2, MAX_HEADER_WIDTH)
            given_format = (formats or {}).get(index)
            number_format = self.cell_format(given_format) if given_format else self.number_format(values)
            if number_format is None:
                layout.append(Column(given, self.cell_format(wrap=True), True))
                continue
            decimals = number_format.num_format.count("0") - 1
            numbers = [v for v in values if isinstance(v, Number)]
            # the longest number written is the largest or the smallest (its minus sign)
            ends = (min(numbers), max(numbers)) if numbers else ()  # (a column given a format may hold no number)
            longest = max((len(f"{float(v):,.{decimals}f}") for v in ends), default=0)
            layout.append(Column(max(given, longest + 2), number_format, False))
        return layout

    def header_height(self, headers: Sequence[str], columns: Sequence[Column]) -> float:
        """The height of a header row whose longest header wraps within its column."""
        return lines_height(max((text_lines(h, c.width) for h, c in zip(headers, columns)), default=1))

    def set_columns(self, sheet, columns: Sequence[Column], first: int = 0) -> None:
        """Widths and formats of the columns; before any row (a streamed sheet writes rows in order)."""
        for index, column in enumerate(columns, start=first):
            sheet.set_column(index, index, column.width, column.format)

    def write_rows(self, sheet, first_row: int, rows: Iterable[Sequence], columns: Sequence[Column]) -> None:
        """The rows, each cell in its column's format, each row as tall as its longest wrapped
        text needs. An empty cell is not written (its column's format is the column's); text and
        numbers go straight to their writers (a workbook of a province holds millions of cells)."""
        wrapping = [(i, columns[i].width) for i, c in enumerate(columns) if c.wraps]
        formats = [c.format for c in columns]
        write_string, write_number = sheet.write_string, sheet.write_number
        for index, row in enumerate(rows, start=first_row):
            lines = max((text_lines(row[i], width) for i, width in wrapping if i < len(row) and row[i]), default=1)
            if lines > 1:
                sheet.set_row(index, lines_height(lines))
            for column, value in enumerate(row):
                if value is None:
                    continue
                cell_format = formats[column] if column < len(formats) else None
                kind = type(value)
                if kind is str:
                    write_string(index, column, value, cell_format)
                elif kind is int or kind is float:
                    write_number(index, column, value, cell_format)
                else:
                    sheet.write(index, column, value, cell_format)

    def orient(self, sheet, columns: Sequence[Column]) -> None:
        """Upright when the columns fit an A4 page's width, else landscape."""
        if sum(c.width for c in columns) > PORTRAIT_WIDTH:
            sheet.set_landscape()

    def cell_format(self, num_format: str | None = None, wrap: bool = False):
        """A shared format of data cells: aligned to the top of the row (beside wrapped text), with
        a number format or wrapping text."""
        key = (num_format, wrap)
        if key not in self.formats:
            properties: dict = {"valign": "top"}
            if num_format:
                properties["num_format"] = num_format
            if wrap:
                properties["text_wrap"] = True
            self.formats[key] = self.workbook.add_format(properties)
        return self.formats[key]

    def number_format(self, values: Sequence):
        """The format of a numeric column: whole numbers without decimals, other numbers with as
        many decimals as the column's values carry (at most MAX_DECIMALS), so that 128 prints
        as 128.0000 beside 127.1938; None for a column of text."""
        found = [v for v in values if isinstance(v, Number) and not isinstance(v, bool)]
        if not found or len(found) < len([v for v in values if v not in (None, "")]):
            return None
        decimals = 0
        for value in set(found):  # each distinct value once: a province's sheet has 10^5 rows
            decimals = max(decimals, _decimals(value))
            if decimals == MAX_DECIMALS:
                break
        return self.cell_format("0" if decimals == 0 else "0." + "0" * decimals)

    def skip(self, sheet, name: str, row_count: int) -> None:
        self.skipped.append(name)
        sheet.set_column(0, 0, 100)
        sheet.write(
            0,
            0,
            f"本表 {row_count} 行，超过工作簿每表行数上限（{row_limit()} 行，环境变量 MUJUN_EXCEL_ROW_LIMIT），"
            "未写入；请使用同目录下的 CSV 文件或分析副本 warehouse/published/mujun.duckdb。",
            self.wrap,
        )

    def close(self) -> Path:
        self.workbook.close()
        return self.path


def row_limit() -> int:
    """Rows per sheet of a workbook for people: MUJUN_EXCEL_ROW_LIMIT, never beyond Excel's limit."""
    return min(int(os.environ.get("MUJUN_EXCEL_ROW_LIMIT", DEFAULT_ROW_LIMIT)), EXCEL_MAX_ROWS)


def fits_in_excel(row_count: int, header_rows: int = 1) -> bool:
    return row_count + header_rows <= row_limit()


def display_width(text: str) -> int:
    """Columns of a text in a spreadsheet: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


# How many characters of the default font (Calibri's digits, the unit of a column's width) a CJK
# character takes on paper: a little over two (DengXian or Noto Sans CJK at 11 points beside
# Calibri or Carlito); wrapping is reckoned with this, so that a row is never too short.
CJK_WIDTH = 2.2


def text_lines(text, width: float) -> int:
    """Lines a text takes when it wraps in a column `width` characters wide (a CJK character
    takes CJK_WIDTH; a line break starts a line)."""
    usable = max(int(width) - 1, 1)
    text = str(text)
    if len(text) * CJK_WIDTH <= usable and "\n" not in text:
        return 1  # fits whatever its characters are (most cells): not measured one by one
    return sum(max(1, math.ceil(_print_width(part) / usable)) for part in text.split("\n"))


# A capital letter is wider than a digit in Calibri and Carlito (a USCC is mostly capitals).
CAPITAL_WIDTH = 1.2


def _print_width(text: str) -> float:
    return sum(CJK_WIDTH if ord(ch) > 0x2E80 else CAPITAL_WIDTH if ch.isupper() else 1 for ch in text)


def _decimals(value) -> int:
    text = f"{float(value):.{MAX_DECIMALS}f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _header_text(text: str) -> str:
    """Text for a printed page header: '&' starts a code there."""
    return text.replace("&", "&&")
