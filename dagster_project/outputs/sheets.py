"""Small helpers to write readable Excel sheets with xlsxwriter (streams rows: constant memory).
The workbook itself comes from safe_files, so that no text cell is ever a formula."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence, Sized
from pathlib import Path

from .safe_files import workbook

EXCEL_MAX_ROWS = 1_048_576
# Workbooks are for people: a sheet longer than this is not written, and the workbook says so
# (the CSV files hold every row). Set MUJUN_EXCEL_ROW_LIMIT up to Excel's own limit to write
# longer sheets; at 10^6 enterprises that costs about 100 s (benchmarks/results.md).
DEFAULT_ROW_LIMIT = 200_000


# A sheet wider than this prints in landscape.
PORTRAIT_MAX_COLUMNS = 6
# xlsxwriter's paper code of A4.
A4 = 9
# How many rows of a column decide its number format (decimals shown).
FORMAT_SAMPLE_ROWS = 1000
MAX_DECIMALS = 4


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
        self.number_formats: dict[int, object] = {}
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
        self.title = self.workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
        self.wrap = self.workbook.add_format({"text_wrap": True, "valign": "top"})
        self.bold = self.workbook.add_format({"bold": True, "font_size": 13})
        self.skipped: list[str] = []  # sheets left out for their length (see row_limit)

    def sheet(self, name: str):
        """A sheet with the page setup every printed sheet needs; a writer may change the paper or
        orientation after (the 附表 print on A3)."""
        sheet = self.workbook.add_worksheet(name)
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
        cell_format=None,
        preamble: Sequence[str] = (),
    ):
        """A sheet with `preamble` lines (a title, a notice's terms), a one-row header repeated on
        every printed page, the rows, frozen header, widths that show each header and a number
        format per numeric column. A list of rows too long for a sheet (row_limit) leaves a sheet
        with a note instead."""
        sheet = self.sheet(name)
        if isinstance(rows, Sized) and not fits_in_excel(len(rows) + len(preamble)):
            self.skip(sheet, name, len(rows))
            return sheet
        rows = list(rows) if not isinstance(rows, list) else rows
        if len(headers) > PORTRAIT_MAX_COLUMNS:
            sheet.set_landscape()
        for index, line in enumerate(preamble):
            sheet.merge_range(index, 0, index, max(len(headers) - 1, 1), line, self.title if index == 0 else self.wrap)
        top = len(preamble)
        sheet.write_row(top, 0, list(headers), self.header)
        for column, header in enumerate(headers):
            given = widths[column] if widths and column < len(widths) else 10
            number_format = self.number_format([row[column] for row in rows[:FORMAT_SAMPLE_ROWS] if column < len(row)])
            sheet.set_column(column, column, max(given, display_width(str(header)) + 2), number_format)
        for index, row in enumerate(rows, start=top + 1):
            sheet.write_row(index, 0, list(row), cell_format)
        sheet.freeze_panes(top + 1, 0)
        sheet.repeat_rows(top)
        return sheet

    def number_format(self, values: Sequence):
        """The format of a numeric column: whole numbers without decimals, other numbers with as
        many decimals as the column's values carry (at most MAX_DECIMALS), so that 128 prints
        as 128.0000 beside 127.1938; None for a column of text."""
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if not numbers or len(numbers) < len([v for v in values if v not in (None, "")]):
            return None
        decimals = max((_decimals(v) for v in numbers), default=0)
        if decimals not in self.number_formats:
            pattern = "0" if decimals == 0 else "0." + "0" * decimals
            self.number_formats[decimals] = self.workbook.add_format({"num_format": pattern})
        return self.number_formats[decimals]

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


def _decimals(value: float) -> int:
    text = f"{value:.{MAX_DECIMALS}f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _header_text(text: str) -> str:
    """Text for a printed page header: '&' starts a code there."""
    return text.replace("&", "&&")
