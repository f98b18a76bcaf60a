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


class Book:
    """One workbook with its shared formats."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.workbook = workbook(self.path)
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
        return self.workbook.add_worksheet(name)

    def table(self, name: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float] | None = None, cell_format=None):
        """A sheet with a one-row header, the rows, frozen header and sensible widths. A list of rows
        too long for a sheet (row_limit) leaves a sheet with a note instead."""
        sheet = self.sheet(name)
        if isinstance(rows, Sized) and not fits_in_excel(len(rows)):
            self.skip(sheet, name, len(rows))
            return sheet
        sheet.write_row(0, 0, list(headers), self.header)
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, list(row), cell_format)
        sheet.freeze_panes(1, 0)
        for column, width in enumerate(widths or []):
            sheet.set_column(column, column, width)
        return sheet

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
