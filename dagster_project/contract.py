"""The departmental data contract (EXTRACTS.md), read from the rule tables in data/seeds.

The same two tables (`extracts.csv`, `extract_columns.csv`) are dbt seeds, so ingestion and
validation cannot disagree about which files and columns exist.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

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


def _truthy(text: str) -> bool:
    return text.strip().lower() == "true"


@lru_cache(maxsize=1)
def extracts() -> dict[str, Extract]:
    """All extracts of the contract, keyed by name, columns in contract order."""
    with open(SEEDS_DIR / "extract_columns.csv", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: (r["extract"], int(r["position"])))
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
            for e in csv.DictReader(f)
        }


# What marks a required column in the header of a department's template (＊统一社会信用代码): it
# is no part of the column's name.
REQUIRED_MARK = "＊"


def normalize_header(text: str) -> str:
    """Compare headers loosely: full-width forms folded (NFKC), spaces dropped, case ignored, the
    template's required mark (＊, or * as NFKC folds it) around the name ignored."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"\s+", "", folded).strip(unicodedata.normalize("NFKC", REQUIRED_MARK))


def header_lookup(extract: Extract) -> dict[str, str]:
    """Normalized English or Chinese header -> contract column name."""
    lookup: dict[str, str] = {}
    for column in extract.columns:
        lookup[normalize_header(column.name)] = column.name
        lookup[normalize_header(column.header_zh)] = column.name
    return lookup
