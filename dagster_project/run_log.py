"""Which run last changed a year's results in the warehouse, and whether it finished.

dbt writes the marts model by model: a run that fails half-way leaves some of them rebuilt from
its deliveries and others not. Its exports are never published (outputs/staging.py), and the
warehouse says so too: the dbt step records that it started, the last asset of the run that it
finished. `mujun publish` and `mujun export` refuse a year whose latest computation did not
finish, so nothing of a failed run reaches a publication or an export by another road."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _ensure(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists runs")
    conn.execute("""create table if not exists runs.computations (
        run_id varchar, data_year integer, started_at timestamp, finished_at timestamp, inputs varchar)""")
    # computations recorded before their inputs were (run_plan.py): the next run recomputes all
    conn.execute("alter table runs.computations add column if not exists inputs varchar")


def started(conn: duckdb.DuckDBPyConnection, year: int, run_id: str, inputs: dict | None = None) -> None:
    """The run is about to recompute the year (its dbt step starts) from these inputs (run_plan.py)."""
    _ensure(conn)
    conn.execute(
        "insert into runs.computations values (?, ?, ?, null, ?)",
        [run_id, year, _now(), None if inputs is None else json.dumps(inputs, sort_keys=True, ensure_ascii=False)],
    )


def finished(conn: duckdb.DuckDBPyConnection, year: int, run_id: str) -> None:
    """The run computed the year and published its outputs (an export-only run recomputed nothing)."""
    _ensure(conn)
    conn.execute("update runs.computations set finished_at = ? where run_id = ? and data_year = ?", [_now(), run_id, year])


def record_exports(conn: duckdb.DuckDBPyConnection, year: int, files: dict[str, list[str]], export_dir: Path) -> None:
    """The files each export put in the published folder of the year (relative to it) and which
    export folder that is, so that a later run into the same folder that does not write an
    export can carry its files over (outputs/staging.py)."""
    _ensure(conn)
    conn.execute("create table if not exists runs.published_exports (data_year integer, export varchar, files varchar)")
    # (recorded before the folder was: such rows belong to no folder, and are written again)
    conn.execute("alter table runs.published_exports add column if not exists export_dir varchar")
    conn.execute("delete from runs.published_exports where data_year = ?", [year])
    conn.executemany(
        "insert into runs.published_exports by name select ? as data_year, ? as export, ? as files, ? as export_dir",
        [[year, export, json.dumps(names, ensure_ascii=False), _folder(export_dir)] for export, names in sorted(files.items())],
    )


def published_exports(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> dict[str, list[str]]:
    """The files of each export of the year published into `export_dir` by the latest run (none
    when that run published into another folder: what `export_dir` holds is not known)."""
    exists = conn.execute(
        "select count(*) from information_schema.columns where table_schema = 'runs' and table_name = 'published_exports'"
        " and column_name = 'export_dir'"
    ).fetchone()[0]
    if not exists:
        return {}
    rows = conn.execute(
        "select export, files from runs.published_exports where data_year = ? and export_dir = ?", [year, _folder(export_dir)]
    ).fetchall()
    return {export: json.loads(files) for export, files in rows}


def exports_in_place(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path, exports: list[str]) -> bool:
    """Whether each of `exports` was published into `export_dir` by the year's latest run and
    every file of it is still there: a file deleted since is written again, not taken as up to
    date (nor carried over)."""
    published, folder = published_exports(conn, year, export_dir), Path(export_dir) / str(year)
    return folder.is_dir() and all(name in published and all((folder / f).is_file() for f in published[name]) for name in exports)


def _folder(export_dir: Path) -> str:
    return str(Path(export_dir).resolve())


def earlier_computations(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, str]:
    """The run id of the latest finished computation of each year before `year`."""
    if latest(conn) is None:
        return {}
    rows = conn.execute(
        """select data_year, arg_max(run_id, started_at) from runs.computations
           where data_year < ? and finished_at is not null group by data_year order by data_year""",
        [year],
    ).fetchall()
    return {str(y): run_id for y, run_id in rows}


def latest_finished(conn: duckdb.DuckDBPyConnection, year: int) -> tuple[str, dict] | None:
    """The run id and the recorded inputs (run_plan.inputs) of the year's latest finished
    computation; None when the year was never computed (or by a version that recorded none)."""
    if latest(conn) is None:
        return None
    try:
        row = conn.execute(
            """select run_id, inputs from runs.computations where data_year = ? and finished_at is not null
               order by started_at desc limit 1""",
            [year],
        ).fetchone()
    except duckdb.BinderException:  # a warehouse of an older version: no inputs recorded
        return None
    return None if row is None else (row[0], json.loads(row[1]) if row[1] else {})


def recomputed_earlier_years(conn: duckdb.DuckDBPyConnection, year: int) -> list[int]:
    """The years before `year` computed again since the latest finished computation of `year`,
    which took its previous classes from their results then: those results are gone, so the
    year's own are out of date (a recomputation of `year` takes the new ones)."""
    computed = latest_finished(conn, year)
    then = computed[1].get("earlier_years") if computed else None
    if then is None:
        return []
    now = earlier_computations(conn, year)
    return sorted(int(y) for y in set(then) | set(now) if then.get(y) != now.get(y) and y in now)


def recomputed_message(year: int, earlier: list[int]) -> str:
    years = "、".join(str(y) for y in earlier)
    return (
        f"{years} 年度在 {year} 年度最近一次计算之后重新计算过，{year} 年度结果所依据的上年结果已不是现在的结果；"
        f"请先重新运行 mujun evaluate --year {year} / {years} was recomputed after {year}: evaluate {year} again first"
    )


def latest(conn: duckdb.DuckDBPyConnection) -> tuple[int, bool, str | None] | None:
    """The latest computation of the warehouse, whatever its year: (year, finished, inputs). The
    working tables (validation, staging, intermediate) hold what it computed."""
    columns = {
        name
        for (name,) in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'runs' and table_name = 'computations'"
        ).fetchall()
    }
    if not columns:
        return None
    inputs = "inputs" if "inputs" in columns else "null"  # a read-only warehouse of an older version
    row = conn.execute(
        f"select data_year, finished_at is not null, {inputs} from runs.computations order by started_at desc limit 1"
    ).fetchone()
    return None if row is None else (row[0], bool(row[1]), row[2])


def computed_at(conn: duckdb.DuckDBPyConnection, year: int) -> datetime | None:
    """When the year's results in the warehouse were computed (UTC): the start of its latest
    computation. A workbook carries it as its creation time, so that the same results exported
    again give the same bytes, and other results another time."""
    if latest(conn) is None:
        return None
    row = conn.execute("select max(started_at) from runs.computations where data_year = ?", [year]).fetchone()
    return row[0]


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
