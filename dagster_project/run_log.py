"""Which run last changed a year's results in the warehouse, and whether it finished.

dbt writes the marts model by model: a run that fails half-way leaves some of them rebuilt from
its deliveries and others not. Its exports are never published (outputs/staging.py), and the
warehouse says so too: the dbt step records that it started, the last asset of the run that it
finished. `mujun publish` and `mujun export` refuse a year whose latest computation did not
finish, so nothing of a failed run reaches a publication or an export by another road."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _ensure(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists runs")
    conn.execute("""create table if not exists runs.computations (
        run_id varchar, data_year integer, started_at timestamp, finished_at timestamp)""")


def started(conn: duckdb.DuckDBPyConnection, year: int, run_id: str) -> None:
    """The run is about to recompute the year (its dbt step starts)."""
    _ensure(conn)
    conn.execute("insert into runs.computations values (?, ?, ?, null)", [run_id, year, _now()])


def finished(conn: duckdb.DuckDBPyConnection, year: int, run_id: str) -> None:
    """The run computed the year and published its outputs (an export-only run recomputed nothing)."""
    _ensure(conn)
    conn.execute("update runs.computations set finished_at = ? where run_id = ? and data_year = ?", [_now(), run_id, year])


def unfinished(conn: duckdb.DuckDBPyConnection, year: int) -> str | None:
    """The id of the year's latest computation when it did not finish, else None."""
    exists = conn.execute(
        "select count(*) from information_schema.tables where table_schema = 'runs' and table_name = 'computations'"
    ).fetchone()[0]
    if not exists:
        return None
    latest = conn.execute(
        """select run_id, finished_at from runs.computations where data_year = ?
           order by started_at desc limit 1""",
        [year],
    ).fetchone()
    return latest[0] if latest and latest[1] is None else None


def unfinished_message(year: int, run_id: str) -> str:
    return (
        f"{year} 年度最近一次运行（{run_id}）未成功完成，数据仓库中的结果可能部分来自该次运行；"
        f"请先重新运行 mujun evaluate --year {year} / the latest run of {year} ({run_id}) did not finish: "
        f"evaluate the year again first"
    )
