"""Write the machine-readable outputs of one data year (RULES §10) from the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

CLASSIFICATION_COLUMNS = [
    "uscc", "name", "township", "scale", "status", "land_mu", "tax_per_mu", "output_per_mu",
    "output_per_energy", "tax_score", "output_score", "energy_score", "basic_score", "bonus_score",
    "penalty_score", "total_score", "rank", "group_size", "percentile_class", "final_class", "adjustments",
]
# Shown to six decimals: the contract compares numbers to 1e-6.
DECIMAL_COLUMNS = {
    "land_mu", "tax_per_mu", "output_per_mu", "output_per_energy", "tax_score", "output_score",
    "energy_score", "basic_score", "bonus_score", "penalty_score", "total_score",
}
DQ_COLUMNS = ["department", "file", "line", "uscc", "check", "severity", "message"]


def _select(columns: list[str]) -> str:
    return ", ".join(f"round({c}, 6) as {c}" if c in DECIMAL_COLUMNS else f'"{c}"' for c in columns)


def _copy(conn: duckdb.DuckDBPyConnection, query: str, target: Path) -> int:
    conn.execute(f"copy ({query}) to '{target}' (header, delimiter ',')")
    (rows,) = conn.execute(f"select count(*) from ({query})").fetchone()
    return rows


def write_csv_exports(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> dict[str, int]:
    """classification.csv, benchmarks.csv and dq_issues.csv under <export_dir>/<year>/."""
    out = Path(export_dir) / str(year)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    written["classification.csv"] = _copy(
        conn,
        f"""select {_select(CLASSIFICATION_COLUMNS)} from marts.classification
            where data_year = {year}
            order by status <> 'evaluated', scale, line_number""",
        out / "classification.csv",
    )
    written["benchmarks.csv"] = _copy(
        conn,
        f"""select indicator, value, population from marts.benchmarks where data_year = {year}
            order by case indicator when 'tax_per_mu' then 1 when 'output_per_mu' then 2 else 3 end""",
        out / "benchmarks.csv",
    )
    written["dq_issues.csv"] = _copy(
        conn,
        f"""select {_select(DQ_COLUMNS)} from marts.dq_issues where data_year = {year}
            order by severity, department, file, line nulls first, uscc, "check", message""",
        out / "dq_issues.csv",
    )
    return written
