"""Publishing freezes an evaluated year in the warehouse's `publications` schema: the rule tables as
loaded (and a fingerprint of the rows in force, per table), the delivery in force of each extract
(its load id and sha256: the delivered rows stay in `raw`), the previous year's results the year
took its previous classes from, the code version, the run's decisions and its results.
`mujun verify` (verify.py) recomputes the year from exactly that and compares.

A year that is not publishable (blocked enterprises, error-severity issues) is published only on
purpose: `--force` with a reason, which is recorded."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import duckdb

from . import published_files, run_log
from .outputs import reference
from .outputs.csv_files import CLASSIFICATION_COLUMNS, DECIMAL_COLUMNS
from .paths import PROJECT_ROOT

# Frozen with every publication, a copy per publication id.
# (Rewards are frozen for the record; verify recomputes the classification and the benchmarks.)
FROZEN_RESULTS = ("classification", "benchmarks", "enterprise_rewards", "township_rewards")
# The delivery in force of each extract of a year (parameter: the year): the latest load.
DELIVERIES_IN_FORCE = """select extract, load_id, sha256, source_file, delivered from raw.loads where data_year = ?
    qualify row_number() over (partition by extract order by loaded_at desc, load_id desc) = 1"""


class NotPublishable(Exception):
    """The year has blocked enterprises or error-severity issues and no forced publication was asked."""


def code_version() -> str:
    version = metadata.version("mujun")
    try:
        commit = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, check=True
        ).stdout.strip()
        return f"{version}+{commit}{'.dirty' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return version


def rule_tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        t
        for (t,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'rules' order by table_name"
        ).fetchall()
    ]


def dated_rule_tables(conn: duckdb.DuckDBPyConnection, year: int) -> set[str]:
    """The rule tables whose rows carry the data years they apply to (reference.rule_tables)."""
    return {t for (t,) in conn.execute("select table_name from reference.rule_tables where data_year = ?", [year]).fetchall()}


def rule_table_fingerprints(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, str]:
    """sha256 of the rows of each rule table in force for the year (validity columns left out, so
    that closing a row for later years does not change what applied to this one). The tables as
    loaded now, not the rows the run used: an edit after the run shows. Which rows are in force
    is decided by the reference layer's rows_in_force macro, not here."""
    dated = dated_rule_tables(conn, year)
    fingerprints = {}
    for table in rule_tables(conn):
        query = f"select * from reference.rows_in_force('rules.{table}', {int(year)})" if table in dated else f"select * from rules.{table}"
        cursor = conn.execute(query)
        kept = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        fingerprints[table] = hashlib.sha256(f"{kept}:{sorted(map(repr, rows))}".encode()).hexdigest()
    return fingerprints


def rules_fingerprint(conn: duckdb.DuckDBPyConnection, year: int) -> str:
    """One sha256 over the per-table fingerprints of the rows in force."""
    tables = rule_table_fingerprints(conn, year)
    return hashlib.sha256("".join(f"{t}:{h}\n" for t, h in sorted(tables.items())).encode()).hexdigest()


def deliveries_in_force(conn: duckdb.DuckDBPyConnection, year: int) -> list[tuple]:
    """(extract, load_id, sha256, source_file, delivered) of the delivery in force of each extract."""
    return conn.execute(f"{DELIVERIES_IN_FORCE} order by extract", [year]).fetchall()


def inputs_fingerprint(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, str | None]:
    """The delivery in force of each extract for the year: its sha256 (None = not delivered)."""
    return {extract: sha256 for extract, _, sha256, _, _ in deliveries_in_force(conn, year)}


def differs_from_publication(conn: duckdb.DuckDBPyConnection, year: int) -> str | None:
    """The id of the year's latest publication when the current results are not the ones it froze
    (an evaluation after publishing: an override of the objection cycle, a corrected file), else
    None."""
    latest = latest_publication(conn, year)
    return latest["publication_id"] if latest and latest["results_sha256"] != results_fingerprint(conn, year) else None


def results_fingerprint(conn: duckdb.DuckDBPyConnection, year: int) -> str:
    """sha256 of the classification of the year as exported (numbers to six decimals)."""
    parts = [
        f"coalesce(cast(round({c}, 6) as varchar), '')" if c in DECIMAL_COLUMNS else f"coalesce(cast({c} as varchar), '')"
        for c in CLASSIFICATION_COLUMNS
    ]
    return conn.execute(
        f"""select sha256(coalesce(string_agg(concat_ws('|', {", ".join(parts)}), chr(10) order by uscc), ''))
            from marts.classification where data_year = ?""",
        [year],
    ).fetchone()[0]


def current_state(conn: duckdb.DuckDBPyConnection, year: int) -> dict:
    """What a publication of the year records, as the warehouse holds it now."""
    status = conn.execute(
        """select cast(cutoff as varchar), benchmark_method, ranking_groups, publishable
           from marts.evaluation_status where data_year = ?""",
        [year],
    ).fetchone()
    run_id = conn.execute(
        "select run_id from marts.classification_runs where data_year = ? order by run_at desc limit 1", [year]
    ).fetchone()
    return {
        "cutoff": status[0],
        "benchmark_method": status[1],
        "ranking_groups": status[2],
        "publishable": status[3],
        "run_id": run_id[0] if run_id else None,
        "rules_sha256": rules_fingerprint(conn, year),
        "rule_tables": rule_table_fingerprints(conn, year),
        "inputs": inputs_fingerprint(conn, year),
        "results_sha256": results_fingerprint(conn, year),
    }


def publishable(conn: duckdb.DuckDBPyConnection, year: int) -> bool:
    """The verdict of the year's evaluation status (what the `publishable` asset check reads)."""
    return bool(conn.execute("select publishable from marts.evaluation_status where data_year = ?", [year]).fetchone()[0])


def evaluated(conn: duckdb.DuckDBPyConnection, year: int) -> bool:
    exists = conn.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'evaluation_status'"
    ).fetchone()[0]
    return bool(exists) and bool(conn.execute("select count(*) from marts.evaluation_status where data_year = ?", [year]).fetchone()[0])


def _create_publication_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists publications")
    conn.execute(
        """create table if not exists publications.runs (
            publication_id varchar primary key, data_year integer, published_at timestamp, code_version varchar,
            run_id varchar, cutoff varchar, benchmark_method varchar, ranking_groups varchar, publishable boolean,
            rules_sha256 varchar, inputs json, results_sha256 varchar)"""
    )
    # added after the first publications were made: older warehouses gain them here
    conn.execute("alter table publications.runs add column if not exists forced boolean default false")
    conn.execute("alter table publications.runs add column if not exists force_reason varchar")
    conn.execute(
        """create table if not exists publications.inputs (
            publication_id varchar, extract varchar, load_id varchar, sha256 varchar, source_file varchar,
            delivered boolean)"""
    )
    published_files.create_table(conn)
    conn.execute(
        """create table if not exists publications.rule_tables (
            publication_id varchar, table_name varchar, sha256_in_force varchar, csv varchar)"""
    )


def _freeze_table(conn: duckdb.DuckDBPyConnection, target: str, query: str, params: list) -> None:
    """Append the rows of `query` to publications.<target> (created on first use with its shape)."""
    conn.execute(f"create table if not exists publications.{target} as {query} limit 0", params)
    conn.execute(f"insert into publications.{target} by name {query}", params)


def _rule_table_csv(conn: duckdb.DuckDBPyConnection, table: str, folder: Path) -> str:
    """A rule table exactly as loaded, as the text of its seed file (all rows, validity included)."""
    target = folder / f"{table}.csv"
    conn.execute(f"copy rules.{table} to '{target}' (header, delimiter ',')")
    return target.read_text(encoding="utf-8")


def latest_publication(conn: duckdb.DuckDBPyConnection, year: int) -> dict | None:
    """The record of the year's latest publication (its inputs as a dict), None when never published."""
    if not conn.execute(
        "select count(*) from information_schema.tables where table_schema = 'publications' and table_name = 'runs'"
    ).fetchone()[0]:
        return None
    cursor = conn.execute("select * from publications.runs where data_year = ? order by published_at desc limit 1", [year])
    row = cursor.fetchone()
    if row is None:
        return None
    publication = dict(zip([d[0] for d in cursor.description], row))
    publication["inputs"] = json.loads(publication["inputs"])
    return publication


def _same_computation(publication: dict | None, state: dict) -> bool:
    """Whether a publication froze what the warehouse holds now: the same inputs, rule tables,
    decisions and results (a computation run again on them, with its own run id, included)."""
    compared = ("cutoff", "benchmark_method", "ranking_groups", "rules_sha256", "inputs", "results_sha256")
    return publication is not None and all(publication[key] == state[key] for key in compared)


def publish(warehouse: Path, year: int, force: bool = False, reason: str | None = None) -> dict:
    """Freeze the current results of `year`; return the publication record. A year that is not
    publishable is refused (NotPublishable) unless `force` is given with a reason."""
    with duckdb.connect(str(warehouse)) as conn:
        if not evaluated(conn, year):
            raise LookupError(f"数据仓库中没有 {year} 年度的评价结果 / year {year} has not been evaluated")
        failed_run = run_log.unfinished(conn, year)
        if failed_run:
            # --force publishes a year that is complete but not publishable, never a failed run's
            raise NotPublishable(run_log.unfinished_message(year, failed_run))
        earlier = run_log.recomputed_earlier_years(conn, year)
        if earlier:
            # its previous classes came from results the warehouse no longer holds: --force
            # publishes a year that is not publishable, never one that is out of date
            raise NotPublishable(run_log.recomputed_message(year, earlier))
        export_dir, gone = published_files.missing(conn, year)
        if gone:
            # what people would be given is not what was computed: the folder is written again first
            raise NotPublishable(
                f"{year} 年度的结果文件夹中缺少本次计算写出的 {len(gone)} 个文件（如 {gone[0]}），不能发布；"
                + published_files.restore_hint(year, export_dir)
            )
        state = current_state(conn, year)
        latest = latest_publication(conn, year)
        if _same_computation(latest, state):
            # publishing the same computation twice would make two records of one result: the
            # notice and the objection cycle would have two publication ids for one list
            changed = published_files.differences(conn, latest["publication_id"], year)
            if changed:
                changed.append(published_files.restore_hint(year, export_dir))
            return {
                **latest,
                "published_at": latest["published_at"].isoformat(),
                "already_published": True,
                "files_changed": changed,
            }
        forced = not state["publishable"]
        if forced and not (force and (reason or "").strip()):
            why_not = reference.not_publishable(conn, year).removesuffix("本次结果不可发布。")
            raise NotPublishable(
                f"{year} 年度：{why_not}不可发布；"
                '确需发布时请加 --force --reason "理由"（理由将被记录）/ '
                f'year {year} is not publishable; to publish anyway give --force --reason "..." (recorded)'
            )
        published_at = datetime.now(UTC).replace(tzinfo=None)
        publication_id = f"{year}-{published_at:%Y%m%dT%H%M%S%f}"
        record = {
            "publication_id": publication_id,
            "data_year": year,
            "published_at": published_at.isoformat(),
            "code_version": code_version(),
            "forced": forced,
            "force_reason": reason.strip() if forced else None,
            **state,
        }
        _create_publication_tables(conn)
        conn.execute("begin transaction")
        conn.execute(
            """insert into publications.runs by name select ? as publication_id, ? as data_year, ? as published_at,
                   ? as code_version, ? as run_id, ? as cutoff, ? as benchmark_method, ? as ranking_groups,
                   ? as publishable, ? as rules_sha256, ?::json as inputs, ? as results_sha256, ? as forced,
                   ? as force_reason""",
            [
                publication_id,
                year,
                published_at,
                record["code_version"],
                state["run_id"],
                state["cutoff"],
                state["benchmark_method"],
                state["ranking_groups"],
                state["publishable"],
                state["rules_sha256"],
                json.dumps(state["inputs"], sort_keys=True),
                state["results_sha256"],
                forced,
                record["force_reason"],
            ],
        )
        conn.execute(
            f"insert into publications.inputs select ?, extract, load_id, sha256, source_file, delivered from ({DELIVERIES_IN_FORCE})",
            [publication_id, year],
        )
        with tempfile.TemporaryDirectory() as folder:
            for table in rule_tables(conn):
                conn.execute(
                    "insert into publications.rule_tables values (?, ?, ?, ?)",
                    [publication_id, table, state["rule_tables"][table], _rule_table_csv(conn, table, Path(folder))],
                )
        marts = {t for (t,) in conn.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
        for table in (t for t in FROZEN_RESULTS if t in marts):
            _freeze_table(
                conn, table, f"select ?::varchar as publication_id, * from marts.{table} where data_year = ?", [publication_id, year]
            )
        # the stored results of year − 1, where the year took its previous classes from
        _freeze_table(
            conn,
            "previous_classification",
            "select ?::varchar as publication_id, * from marts.classification where data_year = ?",
            [publication_id, year - 1],
        )
        record["files"] = published_files.freeze(conn, publication_id, year)
        conn.execute("commit")
        return record
