"""Small helpers to write readable Excel sheets with openpyxl."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

EXCEL_MAX_ROWS = 1_048_576
HEADER_FILL = PatternFill("solid", fgColor="EEF2F7")
THIN = Side(style="thin", color="BBBBBB")


def style_header(sheet: Worksheet, rows: Sequence[int]) -> None:
    for r in rows:
        for cell in sheet[r]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)


def fit_columns(sheet: Worksheet, widths: Sequence[float] | None = None, default: float = 12) -> None:
    for index in range(1, sheet.max_column + 1):
        width = widths[index - 1] if widths and index <= len(widths) else default
        sheet.column_dimensions[get_column_letter(index)].width = width


def write_table(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence], widths: Sequence[float] | None = None) -> None:
    """A one-row header, the rows, frozen header, sensible widths."""
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    style_header(sheet, [1])
    sheet.freeze_panes = "A2"
    fit_columns(sheet, widths)


def fits_in_excel(row_count: int, header_rows: int = 1) -> bool:
    return row_count + header_rows <= EXCEL_MAX_ROWS
