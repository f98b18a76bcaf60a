"""Small helpers to write readable Excel sheets with xlsxwriter (streams rows: constant memory)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

EXCEL_MAX_ROWS = 1_048_576


class Book:
    """One workbook with its shared formats."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.workbook = xlsxwriter.Workbook(str(self.path), {"constant_memory": True, "strings_to_numbers": False})
        self.header = self.workbook.add_format(
            {"bold": True, "bg_color": "#EEF2F7", "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1, "border_color": "#BBBBBB"})
        self.title = self.workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
        self.wrap = self.workbook.add_format({"text_wrap": True, "valign": "top"})
        self.bold = self.workbook.add_format({"bold": True, "font_size": 13})

    def sheet(self, name: str):
        return self.workbook.add_worksheet(name)

    def table(self, name: str, headers: Sequence[str], rows: Sequence[Sequence], widths: Sequence[float] | None = None):
        """A sheet with a one-row header, the rows, frozen header and sensible widths."""
        sheet = self.sheet(name)
        sheet.write_row(0, 0, list(headers), self.header)
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, [v for v in row])
        sheet.freeze_panes(1, 0)
        for column, width in enumerate(widths or []):
            sheet.set_column(column, column, width)
        return sheet

    def close(self) -> Path:
        self.workbook.close()
        return self.path


def fits_in_excel(row_count: int, header_rows: int = 1) -> bool:
    return row_count + header_rows <= EXCEL_MAX_ROWS
