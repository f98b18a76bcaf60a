"""The values of a delivered workbook's sheets, as python-calamine reads them, in a process of its
own with a memory ceiling (contained.py): this module imports nothing of the pipeline's.

calamine holds a sheet's whole rectangle, from A1 to its farthest cell that holds something, in
memory (32 bytes a cell in Rust, then a Python object each), and a process whose allocation fails
is aborted without a word (Rust's default; tafia/calamine#693, dimastbk/python-calamine#130). One
stray value at XFD1048576 spans 17 billion cells. Each visible worksheet's extent is therefore read
from its XML first: a sheet spanning more than MAX_SHEET_CELLS is refused naming the cell that
stretches it. What that reading cannot see (a cell written without its reference, a crafted file)
meets the memory ceiling, in this process, not the run's."""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
import zipfile
from collections import deque
from dataclasses import dataclass
from xml.etree import ElementTree

import python_calamine

# A sheet may span at most this many cells: those of 1,048,576 rows (all Excel has) × 32 columns,
# more than a province's delivery needs (about 1.4 GB to read).
MAX_SHEET_CELLS = 1_048_576 * 32
# How far down another worksheet of a delivery a header is looked for (below a title or two).
OTHER_SHEET_ROWS = 10
# The opening tag of a cell that holds something (not a self-closing <c .../>, formatting alone,
# which calamine skips), its reference in any quotes, case and place among its attributes.
_VALUED_CELL = re.compile(rb"""<(?:\w+:)?c\s[^>]*?\br\s*=\s*["']([A-Za-z]+)(\d+)["'][^>]*(?<!/)>""")
# ... in a column after Z (two letters or more): rare in a delivery, so looked for on their own
_WIDE_CELL = re.compile(rb"""<(?:\w+:)?c\s[^>]*?\br\s*=\s*["']([A-Za-z]{2,})(\d+)["'][^>]*(?<!/)>""")
_XML_CHUNK = 1 << 20
_TAG_OVERLAP = 1 << 12  # a cell's opening tag cut by a chunk's end is whole in the next chunk


class Unreadable(Exception):
    """calamine could not read the workbook (a damaged zip, XML or format); its words."""


class NoWorksheet(Exception):
    """The workbook has no visible worksheet."""


class FarCell(Exception):
    """A worksheet spans more than MAX_SHEET_CELLS: the cell that stretches it. (Its arguments are
    its fields, so that it crosses back from the reading process whole.)"""

    def __init__(self, sheet: str, cell: str, rows: int, columns: int):
        super().__init__(sheet, cell, rows, columns)
        self.sheet, self.cell, self.rows, self.columns = sheet, cell, rows, columns


@dataclass
class Sheets:
    """The delivery's sheet (all its values) and the first rows of each other visible worksheet."""

    name: str
    values: list[list]
    others: dict[str, list[list]]


def sheet_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().lower()


def load(data: bytes, extract_name: str) -> Sheets:
    """The visible worksheet named like the extract, else the first visible worksheet (a hidden
    sheet is never read: a stale copy kept out of sight is no delivery), and the others' first rows."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        worksheets = [
            m.name
            for m in book.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet and m.visible == python_calamine.SheetVisibleEnum.Visible
        ]
    except Exception as exc:  # calamine's errors (zip, XML, format) all mean: not a readable workbook
        raise Unreadable(_first_line(exc)) from None
    if not worksheets:
        raise NoWorksheet()
    refuse_far_cells(data, worksheets)
    name = next((sheet for sheet in worksheets if sheet_key(sheet) == sheet_key(extract_name)), worksheets[0])
    try:
        values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        others = {other: book.get_sheet_by_name(other).to_python(nrows=OTHER_SHEET_ROWS) for other in worksheets if other != name}
    except Exception as exc:
        raise Unreadable(_first_line(exc)) from None
    return Sheets(name, values, others)


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def refuse_far_cells(data: bytes, sheets: list[str]) -> None:
    """Raise FarCell for the first of `sheets` spanning more than MAX_SHEET_CELLS."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            parts = sheet_parts(book)
            for sheet in sheets:
                with book.open(parts[sheet]) as xml:
                    rows, columns, last, widest = _extent(xml)
                if rows * columns > MAX_SHEET_CELLS:
                    far = widest if columns > 26 and rows * 26 <= MAX_SHEET_CELLS else last
                    raise FarCell(sheet, far, rows, columns)
    except FarCell:
        raise
    except Exception as exc:  # a damaged zip member (deflate data, encryption, compression method) or index
        raise Unreadable(_first_line(exc)) from None


def _extent(xml) -> tuple[int, int, str, str]:
    """(rows, columns, lowest cell, widest cell) of the cells of a sheet's XML that hold something,
    read in chunks. Up to column Z, 26 columns are assumed."""
    rows, columns, last, widest = 0, 26, "", ""
    tail = b""
    while chunk := xml.read(_XML_CHUNK):
        text = tail + chunk
        for match in _WIDE_CELL.finditer(text):
            column = column_index(match.group(1).decode().upper()) + 1
            if column > columns:
                columns, widest = column, (match.group(1) + match.group(2)).decode().upper()
        # rows usually come in order: the last cell is looked for first near the chunk's end, and
        # every cell of the chunk is looked at only when an earlier row comes after a later one
        # (rows written out of order otherwise meet the memory ceiling)
        found = deque(_VALUED_CELL.finditer(text, max(0, len(text) - (1 << 12))), maxlen=1)
        if not found or int(found[0].group(2)) < rows:
            found = [max(_VALUED_CELL.finditer(text), key=lambda m: int(m.group(2)), default=None)]
        if found[0] is not None and int(found[0].group(2)) > rows:
            rows, last = int(found[0].group(2)), (found[0].group(1) + found[0].group(2)).decode().upper()
        tail = text[-_TAG_OVERLAP:]
    return rows, columns, last, widest


def column_index(letters: str) -> int:
    """0 for A, 25 for Z, 26 for AA, …"""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _workbook_part(book: zipfile.ZipFile) -> str:
    rels = ElementTree.fromstring(book.read("_rels/.rels"))
    for rel in rels:
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", "").lstrip("/")
    return "xl/workbook.xml"


def sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """The zip member holding each sheet's XML, by sheet name (the workbook's index read once)."""
    workbook = _workbook_part(book)
    folder = posixpath.dirname(workbook)
    rels_part = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
    targets = {rel.get("Id"): rel.get("Target", "") for rel in ElementTree.fromstring(book.read(rels_part))}
    parts = {}
    for element in ElementTree.fromstring(book.read(workbook)).iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet":
            rid = next(v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id")
            target = targets[rid]
            parts[element.get("name")] = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            )
    return parts


if __name__ == "__main__":  # python -m dagster_project.xlsx_sheets <extract>: see contained.py
    # by the module's own name, so that what crosses back is named as the caller knows it
    from dagster_project import xlsx_sheets
    from dagster_project.contained import serve

    serve(xlsx_sheets.load)
