"""Publishing freezes an evaluated year: the rule-table rows in force for that year, the hashes of
the input files, the code version, the run's decisions and its results, in the warehouse's
`publications` schema. `verify` re-checks the current results of the year against the latest
publication, so that re-running a published year later, after the rule tables gained rows for
newer years, can be shown to reproduce it exactly."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import duckdb

from .outputs.csv_files import CLASSIFICATION_COLUMNS, DECIMAL_COLUMNS
from .paths import PROJECT_ROOT


def code_version() -> str:
    version = metadata.version("mujun")
    try:
        commit = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return f"{version}+{commit}{'.dirty' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return version


def rules_fingerprint(conn: duckdb.DuckDBPyConnection, year: int) -> str:
    """sha256 of every rule-table row in force for the year (validity columns left out, so that
    closing a row for later years does not change what applied to this one)."""
    digest = hashlib.sha256()
    tables = [t for (t,) in conn.execute(
        "select table_name from information_schema.tables where table_schema = 'rules' order by table_name").fetchall()]
    for table in tables:
        columns = [c for (c,) in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'rules' and table_name = ? order by ordinal_position",
            [table]).fetchall()]
        dated = "from_year" in columns and "to_year" in columns
        kept = [c for c in columns if c not in ("from_year", "to_year")]
        where = "where from_year <= ? and (to_year is null or to_year >= ?)" if dated else ""
        rows = conn.execute(f"select {', '.join(kept)} from rules.{table} {where}", [year, year] if dated else []).fetchall()
        digest.update(f"{table}:{kept}:{sorted(map(repr, rows))}\n".encode())
    return digest.hexdigest()


def inputs_fingerprint(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, str | None]:
    """The delivery in force of each extract for the year: its sha256 (None = not delivered)."""
    return dict(conn.execute(
        """select extract, sha256 from raw.loads where data_year = ?
           qualify row_number() over (partition by extract order by loaded_at desc, load_id desc) = 1
           order by extract""", [year]).fetchall())


def results_fingerprint(conn: duckdb.DuckDBPyConnection, year: int) -> str:
    """sha256 of the classification of the year as exported (numbers to six decimals)."""
    parts = [f"coalesce(cast(round({c}, 6) as varchar), '')" if c in DECIMAL_COLUMNS else f"coalesce(cast({c} as varchar), '')"
             for c in CLASSIFICATION_COLUMNS]
    return conn.execute(
        f"""select sha256(coalesce(string_agg(concat_ws('|', {', '.join(parts)}), chr(10) order by uscc), ''))
            from marts.classification where data_year = ?""", [year]).fetchone()[0]


def _state(conn: duckdb.DuckDBPyConnection, year: int) -> dict:
    status = conn.execute(
        """select cast(cutoff as varchar), benchmark_method, ranking_groups, publishable
           from marts.evaluation_status where data_year = ?""", [year]).fetchone()
    run_id = conn.execute(
        "select run_id from marts.classification_runs where data_year = ? order by run_at desc limit 1", [year]).fetchone()
    return {
        "cutoff": status[0], "benchmark_method": status[1], "ranking_groups": status[2], "publishable": status[3],
        "run_id": run_id[0] if run_id else None,
        "rules_sha256": rules_fingerprint(conn, year),
        "inputs": inputs_fingerprint(conn, year),
        "results_sha256": results_fingerprint(conn, year),
    }


def _evaluated(conn: duckdb.DuckDBPyConnection, year: int) -> bool:
    exists = conn.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'evaluation_status'").fetchone()[0]
    return bool(exists) and bool(conn.execute("select count(*) from marts.evaluation_status where data_year = ?", [year]).fetchone()[0])


def publish(warehouse: Path, year: int) -> dict:
    """Freeze the current results of `year`; return the publication record."""
    with duckdb.connect(str(warehouse)) as conn:
        if not _evaluated(conn, year):
            raise LookupError(f"数据仓库中没有 {year} 年度的评价结果 / year {year} has not been evaluated")
        state = _state(conn, year)
        published_at = datetime.now(timezone.utc).replace(tzinfo=None)
        record = {"publication_id": f"{year}-{published_at:%Y%m%dT%H%M%S%f}", "data_year": year,
                  "published_at": published_at.isoformat(), "code_version": code_version(), **state}
        conn.execute("create schema if not exists publications")
        conn.execute(
            """create table if not exists publications.runs (
                publication_id varchar primary key, data_year integer, published_at timestamp, code_version varchar,
                run_id varchar, cutoff varchar, benchmark_method varchar, ranking_groups varchar, publishable boolean,
                rules_sha256 varchar, inputs json, results_sha256 varchar)""")
        conn.execute(
            "insert into publications.runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [record["publication_id"], year, published_at, record["code_version"], state["run_id"], state["cutoff"],
             state["benchmark_method"], state["ranking_groups"], state["publishable"], state["rules_sha256"],
             json.dumps(state["inputs"]), state["results_sha256"]])
        for table in ("classification", "benchmarks"):
            conn.execute(f"create table if not exists publications.{table} as select ''::varchar as publication_id, * from marts.{table} where false")
            conn.execute(f"insert into publications.{table} by name select ? as publication_id, * from marts.{table} where data_year = ?",
                         [record["publication_id"], year])
        return record


def verify(warehouse: Path, year: int) -> tuple[bool, list[str], dict]:
    """Compare the current results of `year` with its latest publication."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        has_publications = conn.execute(
            "select count(*) from information_schema.tables where table_schema = 'publications' and table_name = 'runs'").fetchone()[0]
        published = has_publications and conn.execute(
            """select publication_id, cutoff, benchmark_method, ranking_groups, rules_sha256, inputs, results_sha256
               from publications.runs where data_year = ? order by published_at desc limit 1""", [year]).fetchone()
        if not published:
            raise LookupError(f"{year} 年度尚未发布 / year {year} has not been published")
        state = _state(conn, year)
    expected = dict(zip(["publication_id", "cutoff", "benchmark_method", "ranking_groups", "rules_sha256", "inputs", "results_sha256"], published))
    expected["inputs"] = json.loads(expected["inputs"])
    differences = [
        f"{key}: {expected[key]} → {state[key]}"
        for key in ("cutoff", "benchmark_method", "ranking_groups", "rules_sha256", "inputs", "results_sha256")
        if expected[key] != state[key]
    ]
    return not differences, differences, expected
