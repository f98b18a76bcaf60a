"""Write the machine-readable outputs of one data year (RULES §10) from the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .safe_files import write_csv

CLASSIFICATION_COLUMNS = [
    "uscc",
    "name",
    "township",
    "scale",
    "status",
    "land_mu",
    "tax_per_mu",
    "output_per_mu",
    "output_per_energy",
    "tax_score",
    "output_score",
    "energy_score",
    "basic_score",
    "bonus_score",
    "penalty_score",
    "total_score",
    "rank",
    "group_size",
    "percentile_class",
    "final_class",
    "adjustments",
]
# Shown to six decimals: the contract compares numbers to 1e-6.
DECIMAL_COLUMNS = {
    "land_mu",
    "tax_per_mu",
    "output_per_mu",
    "output_per_energy",
    "tax_score",
    "output_score",
    "energy_score",
    "basic_score",
    "bonus_score",
    "penalty_score",
    "total_score",
}
DQ_COLUMNS = ["department", "file", "line", "uscc", "check", "severity", "message"]


def _select(columns: list[str]) -> str:
    return ", ".join(f"round({c}, 6) as {c}" if c in DECIMAL_COLUMNS else f'"{c}"' for c in columns)


def write_csv_exports(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> dict[str, int]:
    """classification.csv, benchmarks.csv and dq_issues.csv under <export_dir>/<year>/.
    classification.csv and benchmarks.csv are the machine contract: plain UTF-8 (RULES §10).
    dq_issues.csv is read by the departments in Excel: UTF-8 with a byte-order mark."""
    out = Path(export_dir) / str(year)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    written["classification.csv"] = write_csv(
        conn,
        f"""select {_select(CLASSIFICATION_COLUMNS)} from marts.classification
            where data_year = {year}
            order by status <> 'evaluated', scale, line_number""",
        out / "classification.csv",
        bom=False,
    )
    written["benchmarks.csv"] = write_csv(
        conn,
        f"""select indicator, value, population from marts.benchmarks b where data_year = {year}
            -- in the indicators' order (data/seeds/indicator_scores.csv)
            order by (select i.position from reference.indicators i where i.data_year = b.data_year and i.indicator = b.indicator),
                     indicator""",
        out / "benchmarks.csv",
        bom=False,
    )
    written["dq_issues.csv"] = write_csv(
        conn,
        f"""select {_select(DQ_COLUMNS)} from marts.dq_issues where data_year = {year}
            order by severity, department, file, line nulls first, uscc, "check", message""",
        out / "dq_issues.csv",
        bom=True,
    )
    return written
