"""The departmental data contract (EXTRACTS.md), read from the rule tables in data/seeds.

The same two tables (`extracts.csv`, `extract_columns.csv`) are dbt seeds, so ingestion and
validation cannot disagree about which files and columns exist.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import duckdb

from .paths import SEEDS_DIR


@dataclass(frozen=True)
class Column:
    name: str
    header_zh: str
    value_type: str
    value_required: bool
    enum_name: str = ""


@dataclass(frozen=True)
class Extract:
    name: str
    department: str
    department_zh: str
    required: bool
    one_row_per_enterprise: bool
    title_zh: str
    columns: tuple[Column, ...]

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def workbook_name(self) -> str:
        """The same delivery as an Excel workbook (its department's template, filled in)."""
        return f"{self.name}.xlsx"

    @property
    def delivery_names(self) -> tuple[str, str]:
        return (self.file_name, self.workbook_name)

    @property
    def contract_sha256(self) -> str:
        """A digest of this extract's contract (its rows of extracts.csv and extract_columns.csv):
        a delivery read under another contract (a column added, renamed or made required, a
        header reworded) is read again, though its bytes are the same."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()


def _truthy(text: str) -> bool:
    return text.strip().lower() == "true"


def _flags(rows: list[dict], seed: str, *columns: str) -> list[dict]:
    """The rows of a contract table, each of `columns` checked to say true or false: dbt loads
    the same table and would read 1 or 是 as true where this reading took it for false."""
    for line, row in enumerate(rows, start=2):
        for column in columns:
            value = row[column] or ""
            if value.strip().lower() not in ("true", "false"):
                raise ContractError(
                    f"data/seeds/{seed} 第{line}行 列“{column}”：“{value}”须为 true 或 false / "
                    f"data/seeds/{seed} line {line} column {column}: {value!r} must be true or false"
                )
    return rows


# An extract's name is its file's name, a table's and a Dagster asset's; a column's name is a
# table column's: lower-case letters, digits and underscores, starting with a letter. The raw
# schema's bookkeeping tables (loads, load_issues: dbt_extracts.py) cannot be extracts.
NAME = re.compile(r"[a-z][a-z0-9_]*")
BOOKKEEPING_TABLES = ("loads", "load_issues")
# Every raw.<extract> table holds, beside the contract's columns, where each row came from
# (ingest.py): a contract column of one of these names would collide with them.
LINEAGE_COLUMNS = {
    "data_year": "INTEGER",
    "load_id": "VARCHAR",
    "source_file": "VARCHAR",
    "sheet": "VARCHAR",  # the sheet of a workbook delivery; null for a CSV
    "sha256": "VARCHAR",
    "line_number": "BIGINT",
    "loaded_at": "TIMESTAMP",
}


@lru_cache(maxsize=1)
def _sql_keywords() -> tuple[str, ...]:
    """The words DuckDB reserves: a column so named cannot be written bare in the SQL that reads it."""
    rows = duckdb.sql("select keyword_name from duckdb_keywords() where keyword_category = 'reserved' order by 1").fetchall()
    return tuple(name for (name,) in rows)


class ContractError(ValueError):
    """A name in the contract's tables that cannot be used (said in words, with file and line)."""


def _checked(rows: list[dict], seed: str, column: str, reserved: tuple[str, ...] = ()) -> list[dict]:
    """The rows of a contract table, each `column` checked to be a usable name."""
    for line, row in enumerate(rows, start=2):
        name = row[column] or ""
        if not NAME.fullmatch(name) or name in reserved:
            why = "只能由小写英文字母、数字和下划线组成，并以字母开头"
            if name in reserved:
                why = "是系统保留的名称（记录来源的列名、表名或 SQL 关键字）"
            raise ContractError(
                f"data/seeds/{seed} 第{line}行 列“{column}”：“{name}”不能用作名称，{why}；中文名称请填在说明列 / "
                f"data/seeds/{seed} line {line} column {column}: {name!r} cannot be a name (lower-case letters, digits and "
                f"underscores, starting with a letter; not a reserved name: a lineage column, a bookkeeping table or an SQL keyword)"
            )
    return rows


@lru_cache(maxsize=1)
def extracts() -> dict[str, Extract]:
    """All extracts of the contract, keyed by name, columns in contract order."""
    with open(SEEDS_DIR / "extract_columns.csv", encoding="utf-8") as f:
        columns = _checked(
            _checked(
                _flags(list(csv.DictReader(f)), "extract_columns.csv", "value_required"),
                "extract_columns.csv",
                "column_name",
                (*LINEAGE_COLUMNS, *_sql_keywords()),
            ),
            "extract_columns.csv",
            "extract",
        )
    rows = sorted(columns, key=lambda r: (r["extract"], int(r["position"])))
    with open(SEEDS_DIR / "extracts.csv", encoding="utf-8") as f:
        return {
            e["extract"]: Extract(
                name=e["extract"],
                department=e["department"],
                department_zh=e["department_zh"],
                required=_truthy(e["required"]),
                one_row_per_enterprise=_truthy(e["one_row_per_enterprise"]),
                title_zh=e["title_zh"],
                columns=tuple(
                    Column(r["column_name"], r["header_zh"], r["value_type"], _truthy(r["value_required"]), r["enum_name"])
                    for r in rows
                    if r["extract"] == e["extract"]
                ),
            )
            for e in _checked(
                _flags(list(csv.DictReader(f)), "extracts.csv", "required", "one_row_per_enterprise"),
                "extracts.csv",
                "extract",
                BOOKKEEPING_TABLES,
            )
        }


# What marks a required column in the header of a department's template (＊统一社会信用代码): it
# is no part of the column's name.
REQUIRED_MARK = "＊"


# zero-width space, word joiner, byte order mark: nothing on screen, no part of a header
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))


def normalize_header(text: str) -> str:
    """Compare headers loosely: full-width forms folded (NFKC), spaces and invisible characters
    (a second byte order mark, a zero-width space) dropped, case ignored, the template's required
    mark (＊, or * as NFKC folds it) around the name ignored."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip().lower()
    return re.sub(r"\s+", "", folded).strip(unicodedata.normalize("NFKC", REQUIRED_MARK))


def header_lookup(extract: Extract) -> dict[str, str]:
    """Normalized English or Chinese header -> contract column name."""
    lookup: dict[str, str] = {}
    for column in extract.columns:
        lookup[normalize_header(column.name)] = column.name
        lookup[normalize_header(column.header_zh)] = column.name
    return lookup
