"""The one place where mujun writes CSV files and creates Excel workbooks, so that every output,
present and future, is safe to open in a spreadsheet (RULES §10, OWASP "CSV injection").

A text cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is a formula to Excel,
LibreOffice and WPS when the file is opened: an enterprise name such as `=HYPERLINK(...)` in the
public notice would become a live link or a computation on the public's machine.
- CSV: such a text cell is written with a leading `'`, which spreadsheets show as text. DuckDB's
  `COPY … TO` does not do this, so the copy selects the query's VARCHAR columns through SQL
  that does it: the work stays in DuckDB at any scale. Number, date and boolean columns are left as
  they are (a negative number is a number, not a formula).
- xlsx: xlsxwriter turns a string starting with `=` into a formula and one that looks like an
  address into a hyperlink unless told not to; the workbook factory tells it not to, so every
  string is a string cell. A drop-down's values (a template's accepted labels) are a list
  literal or string cells, never a formula either (drop_down).

tests/test_hostile_outputs.py fails when a module under dagster_project writes a CSV file or
creates a workbook anywhere else.
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import duckdb
import xlsxwriter
import xlsxwriter.utility

# First characters that make a spreadsheet read a cell as a formula (RULES §10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_PREFIX = "'"


def safe_file_name(text: str) -> str:
    """A label made usable as a file or folder name on every platform (自然资源局/开发区 ->
    自然资源局、开发区)."""
    return re.sub(r"[\\/:*?\"<>|]", "、", text)


# Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\ , not starting or
# ending with an apostrophe, unique in its workbook whatever the case. Names are built from labels
# a bureau edits (规上得分表（附表二）from the scale's label), so they are made to fit, not refused.
SHEET_NAME_MAX = 31
_SHEET_NAME_CHARACTERS = str.maketrans({"[": "［", "]": "］", ":": "：", "*": "＊", "?": "？", "/": "／", "\\": "＼"})


def sheet_name(text: str, taken: list[str]) -> str:
    """`text` made a valid sheet name of a workbook whose sheets are `taken`: Excel's forbidden
    characters as their full-width forms, apostrophes at either end as ’, cut to 31 characters,
    and numbered （2）, （3）… when the name is taken."""
    name = text.translate(_SHEET_NAME_CHARACTERS).strip()
    name = re.sub(r"^'|'$", "’", name)[:SHEET_NAME_MAX] or "表"
    used = {t.casefold() for t in taken}
    candidate, number = name, 1
    while candidate.casefold() in used:
        number += 1
        suffix = f"（{number}）"
        candidate = name[: SHEET_NAME_MAX - len(suffix)] + suffix
    return candidate


def sql_literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def sql_name(text: str) -> str:
    return '"' + str(text).replace('"', '""') + '"'


def _neutralised_columns(conn: duckdb.DuckDBPyConnection, relation: str) -> str:
    """The select list of `relation` with every VARCHAR cell that starts like a formula prefixed
    with `'`; column names and order unchanged."""
    starts = ", ".join(sql_literal(c) if c.isprintable() else f"chr({ord(c)})" for c in FORMULA_STARTS)
    selected = []
    for name, column_type, *_ in conn.execute(f"describe {relation}").fetchall():
        column = sql_name(name)
        if column_type == "VARCHAR":
            selected.append(
                f"case when left({column}, 1) in ({starts}) then {sql_literal(TEXT_PREFIX)} || {column} else {column} end as {column}"
            )
        else:
            selected.append(column)
    return ", ".join(selected)


def write_csv(conn: duckdb.DuckDBPyConnection, query: str, target: Path, *, bom: bool) -> int:
    """Write the rows of `query`, in its order, to `target` (header, comma-separated, UTF-8),
    formula-safe; return the number of rows. `bom=True` for files meant for people: Excel on
    Windows reads a CSV without a byte-order mark in the local code page (GBK) and shows Chinese
    as mojibake. Machine contracts (classification.csv, benchmarks.csv) are plain UTF-8 (RULES §10)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = target.with_name(f".{target.name}.part") if bom else target
    # DuckDB does not keep the order of an ordered subquery under an outer projection, but a table
    # created from an ordered query keeps it, and its rowid says it: the query lands in a temporary
    # table (spills to disk beyond memory), is copied out ordered by rowid, and is dropped.
    rows_table = f"mujun_csv_{uuid.uuid4().hex}"
    conn.execute(f"create temporary table {rows_table} as {query}")
    try:
        (rows,) = conn.execute(
            f"copy (select {_neutralised_columns(conn, rows_table)} from {rows_table} order by rowid) "
            f"to {sql_literal(written)} (header, delimiter ',')"
        ).fetchone()
    finally:
        conn.execute(f"drop table if exists {rows_table}")
    if bom:
        # DuckDB cannot write a BOM: put it in front while copying (streamed, constant memory)
        with open(target, "wb") as out, open(written, "rb") as source:
            out.write(codecs.BOM_UTF8)
            shutil.copyfileobj(source, out, 1 << 20)
        os.remove(written)
    return rows


def workbook(path: Path, *, streamed: bool = True, created: datetime | None = None) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook in which every string is a string cell: never a formula, never a
    hyperlink, never a number. Rows are streamed (constant memory) unless `streamed=False` (a small
    workbook that writes cells out of row order, such as a template's list of options).
    `created` fixes the document's creation time, so that the same content gives the same bytes."""
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": streamed,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    if created is not None:
        book.set_properties({"created": created})
    return book


# Excel holds at most this many characters in a list typed into a data validation.
VALIDATION_LIST_CHARS = 255


def fits_in_validation(values: list[str]) -> bool:
    """Whether the values can be typed into a list validation: at most 255 characters, no comma
    (Excel's separator there) and no quote."""
    return len(",".join(values)) <= VALIDATION_LIST_CHARS and not any("," in v or '"' in v for v in values)


def drop_down(sheet, first_row: int, column: int, last_row: int, values: list[str], lists, *, error_message: str) -> None:
    """A drop-down of `values` on a column range, each value data, never a reference or a formula.
    Excel takes a typed list only up to 255 characters, and reads a comma in it as a separator:
    then the values are written as string cells of the hidden sheet `lists` (a row each, so that a
    streamed workbook writes them in order) and the validation refers to them. Only the values can
    be chosen or typed (error_type stop)."""
    options = {"validate": "list", "error_type": "stop", "error_message": error_message, "ignore_blank": True}
    if fits_in_validation(values):
        options["source"] = list(values)
    else:
        row = getattr(lists, "mujun_rows", 0)
        lists.mujun_rows = row + 1
        lists.write_row(row, 0, [str(v) for v in values])
        last = xlsxwriter.utility.xl_col_to_name(len(values) - 1)
        options["source"] = f"='{lists.name}'!$A${row + 1}:${last}${row + 1}"
    sheet.data_validation(first_row, column, last_row, column, options)
