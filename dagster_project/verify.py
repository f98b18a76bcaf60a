"""`mujun verify`: does a published year still stand?

Two questions, each difference answered on its own line:
1. Recomputed from what the publication froze — the delivered rows in force, the policy tables as
   loaded, the previous year's results and the run's decisions — in a scratch warehouse with
   today's code, does the year give the published results? (The scratch run is an ordinary
   `mujun evaluate` in a scratch copy of the project whose policy tables are the frozen ones; the
   data contract and label tables go with today's code.)
2. Does the working warehouse still hold what was published: the same deliveries, the same rule
   rows in force, the same decisions and results? A re-delivered file or an edited rule shows here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import dbt_build, published_files
from .ingest import LINEAGE_COLUMNS
from .outputs.csv_files import CLASSIFICATION_COLUMNS, DECIMAL_COLUMNS
from .paths import SEEDS_DIR
from .publish import current_state, dated_rule_tables, evaluated, latest_publication

# evaluate's exit statuses that mean "done" (publishable or not)
FINISHED = (0, 3)


@dataclass
class Verification:
    publication: dict
    recomputed: list[str] = field(default_factory=list)  # differences of the recomputation
    current: list[str] = field(default_factory=list)  # differences of the working warehouse
    recompute_failure: str | None = None
    notes: list[str] = field(default_factory=list)  # what the recomputation could not take frozen

    @property
    def same(self) -> bool:
        return not (self.recomputed or self.current or self.recompute_failure)


def _latest_publication(conn: duckdb.DuckDBPyConnection, year: int) -> dict:
    publication = latest_publication(conn, year)
    if publication is None:
        raise LookupError(f"{year} 年度尚未发布 / year {year} has not been published")
    return publication


def _has_table(conn: duckdb.DuckDBPyConnection, schema: str, table: str, catalog: str | None = None) -> bool:
    return bool(
        conn.execute(
            """select count(*) from information_schema.tables where table_schema = ? and table_name = ?
           and (? is null or table_catalog = ?)""",
            [schema, table, catalog, catalog],
        ).fetchone()[0]
    )


def _enterprise_differences(conn: duckdb.DuckDBPyConnection, published: str, candidate: str, label: str) -> list[str]:
    """One line per enterprise whose exported classification differs (numbers to six decimals)."""

    def shown(alias: str, column: str) -> str:
        value = f"round({alias}.{column}, 6)" if column in DECIMAL_COLUMNS else f"{alias}.{column}"
        return f"coalesce(cast({value} as varchar), '空')"

    changes = ", ".join(
        f"case when {shown('p', c)} <> {shown('n', c)} then '{c}: ' || {shown('p', c)} || ' → ' || {shown('n', c)} end"
        for c in CLASSIFICATION_COLUMNS
        if c != "uscc"
    )
    rows = conn.execute(
        f"""select coalesce(p.uscc, n.uscc), coalesce(p.name, n.name),
                   case when p.uscc is null then '发布结果中没有该企业 / not in the publication'
                        when n.uscc is null then '{label}中没有该企业 / missing'
                        else concat_ws('; ', {changes}) end
            from ({published}) p full join ({candidate}) n on n.uscc = p.uscc
            where p.uscc is null or n.uscc is null or concat_ws('; ', {changes}) <> ''
            order by 1"""
    ).fetchall()
    return [f"企业 / enterprise {uscc} {name}：{change}" for uscc, name, change in rows]


def _benchmark_differences(conn: duckdb.DuckDBPyConnection, published: str, candidate: str) -> list[str]:
    rows = conn.execute(
        f"""select coalesce(p.indicator, n.indicator), cast(round(p.value, 6) as varchar), cast(round(n.value, 6) as varchar),
                   p.population, n.population
            from ({published}) p full join ({candidate}) n on n.indicator = p.indicator
            where round(p.value, 6) is distinct from round(n.value, 6) or p.population is distinct from n.population
            order by 1"""
    ).fetchall()
    return [f"基准值 / benchmark {indicator}：{old} → {new}（样本 {old_n} → {new_n}）" for indicator, old, new, old_n, new_n in rows]


def _current_differences(conn: duckdb.DuckDBPyConnection, year: int, publication: dict) -> list[str]:
    """What differs between the publication and the working warehouse, one line per file,
    rule table, decision, benchmark and enterprise."""
    state = current_state(conn, year)
    lines = [
        f"评价参数 / decision {key}：{publication[key]} → {state[key]}（评价参数已变 / decision changed）"
        for key in ("cutoff", "benchmark_method", "ranking_groups")
        if publication[key] != state[key]
    ]
    for extract in sorted(set(publication["inputs"]) | set(state["inputs"])):
        old, new = publication["inputs"].get(extract), state["inputs"].get(extract)
        if old != new:
            lines.append(
                f"报送文件 / delivery {extract}：发布后已重新报送或撤回（sha256 {str(old)[:12]} → {str(new)[:12]}）/ "
                "delivered again or withdrawn since publication"
            )
    frozen_rules = (
        dict(
            conn.execute(
                "select table_name, sha256_in_force from publications.rule_tables where publication_id = ?", [publication["publication_id"]]
            ).fetchall()
        )
        if _has_table(conn, "publications", "rule_tables")
        else {}
    )
    for table in sorted(set(frozen_rules) | set(state["rule_tables"])):
        if frozen_rules and frozen_rules.get(table) != state["rule_tables"].get(table):
            lines.append(f"规则表 / rules {table}：适用于 {year} 年度的行已变化 / rows in force changed")
    if not frozen_rules and publication["rules_sha256"] != state["rules_sha256"]:
        lines.append("规则表 / rules：适用于本年度的规则行已变化 / rules in force changed")
    pid = publication["publication_id"].replace("'", "''")
    lines += _benchmark_differences(
        conn,
        f"select * from publications.benchmarks where publication_id = '{pid}'",
        f"select * from marts.benchmarks where data_year = {year}",
    )
    files = published_files.differences(conn, publication["publication_id"], year)
    lines += files
    if files and publication["results_sha256"] == state["results_sha256"]:
        folder = conn.execute(
            "select any_value(folder) from publications.files where publication_id = ?", [publication["publication_id"]]
        ).fetchone()[0]
        lines.append(published_files.restore_hint(year, folder))
    if publication["results_sha256"] != state["results_sha256"]:
        lines.append(
            f"结果指纹 / results_sha256：当前结果与发布结果不同 / current results differ "
            f"({publication['results_sha256'][:12]} → {state['results_sha256'][:12]})"
        )
        published = f"select * from publications.classification where publication_id = '{publication['publication_id']}'"
        lines += _enterprise_differences(conn, published, f"select * from marts.classification where data_year = {year}", "当前结果")
    return lines


def _scratch_project(conn: duckdb.DuckDBPyConnection, publication: dict, home: Path) -> list[str]:
    """A project copy whose policy tables are the frozen ones; returns notes on what was not frozen."""
    dbt_build.copy_project(home)
    seeds = home / "data" / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    frozen = dict(
        conn.execute(
            "select table_name, csv from publications.rule_tables where publication_id = ?", [publication["publication_id"]]
        ).fetchall()
    )
    # Policy tables carry the data years they apply to; the data contract and the labels (no
    # validity columns) belong to the code that reads them and are taken as they are now.
    policy = dated_rule_tables(conn, publication["data_year"])
    notes = []
    for current in sorted(seeds.glob("*.csv")):
        if current.stem not in policy:
            continue
        if current.stem in frozen:
            current.write_text(frozen[current.stem], encoding="utf-8")
        else:
            notes.append(f"规则表 {current.stem} 发布时尚不存在，重新计算使用当前版本 / not frozen, current version used")
    return notes


def _frozen_deliveries(conn: duckdb.DuckDBPyConnection, publication: dict, raw_year: Path) -> None:
    """Write each frozen delivery back as a CSV of its rows as delivered (contract column names)."""
    raw_year.mkdir(parents=True)
    for extract, load_id in conn.execute(
        "select extract, load_id from publications.inputs where publication_id = ? and delivered", [publication["publication_id"]]
    ).fetchall():
        # a warehouse last written before the lineage gained a column (the sheet) lacks it
        present = {name for (name,) in conn.execute(f"select column_name from (describe raw.{extract})").fetchall()}
        lineage = ", ".join(name for name in LINEAGE_COLUMNS if name in present)
        target = str(raw_year / f"{extract}.csv").replace("'", "''")
        conn.execute(
            f"copy (select * exclude ({lineage}) from raw.{extract} where load_id = ? order by line_number) "
            f"to '{target}' (header, delimiter ',')",
            [load_id],
        )


def _recompute(warehouse: Path, year: int, publication: dict, verification: Verification) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        frozen = (
            _has_table(conn, "publications", "inputs")
            and conn.execute(
                "select count(*) from publications.inputs where publication_id = ?", [publication["publication_id"]]
            ).fetchone()[0]
        )
    if not frozen:
        verification.recompute_failure = (
            "该发布记录未冻结输入与规则表（早期版本发布），无法重新计算；请重新发布 / "
            "this publication froze no inputs or rule tables: publish again"
        )
        return
    with tempfile.TemporaryDirectory(prefix="mujun-verify-") as folder:
        home = Path(folder)
        scratch = home / "warehouse" / "mujun.duckdb"
        scratch.parent.mkdir()
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            notes = _scratch_project(conn, publication, home)
            _frozen_deliveries(conn, publication, home / "raw" / str(year))
            has_previous = _has_table(conn, "publications", "previous_classification")
        with duckdb.connect(str(scratch)) as conn:
            conn.execute(f"attach '{str(warehouse).replace(chr(39), chr(39) * 2)}' as published (read_only)")
            if has_previous:
                # the previous year's results the publication took its previous classes from
                conn.execute("create schema marts")
                conn.execute(
                    """create table marts.classification as select * exclude (publication_id)
                                from published.publications.previous_classification where publication_id = ?""",
                    [publication["publication_id"]],
                )
        command = [
            sys.executable,
            "-m",
            "dagster_project.cli",
            "evaluate",
            "--year",
            str(year),
            "--raw-dir",
            str(home / "raw"),
            "--export-dir",
            str(home / "exports"),
            "--warehouse",
            str(scratch),
            "--benchmark-method",
            publication["benchmark_method"],
            "--ranking-groups",
            publication["ranking_groups"],
            "--no-instance",  # a scratch run: not one the project's Dagster UI should list
        ]
        if publication["cutoff"]:
            command += ["--cutoff", publication["cutoff"]]
        env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"} | {"MUJUN_HOME": str(home)}
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode not in FINISHED:
            last = (done.stdout.strip().splitlines() or done.stderr.strip().splitlines() or ["?"])[-1]
            verification.recompute_failure = f"重新计算失败 / recomputation failed (exit {done.returncode}): {last}"
            return
        verification.notes += notes
        with duckdb.connect(str(scratch), read_only=True) as conn:
            conn.execute(f"attach '{str(warehouse).replace(chr(39), chr(39) * 2)}' as published (read_only)")
            pid = publication["publication_id"].replace("'", "''")
            verification.recomputed += _benchmark_differences(
                conn,
                f"select * from published.publications.benchmarks where publication_id = '{pid}'",
                f"select * from marts.benchmarks where data_year = {year}",
            )
            verification.recomputed += _enterprise_differences(
                conn,
                f"select * from published.publications.classification where publication_id = '{pid}'",
                f"select * from marts.classification where data_year = {year}",
                "重新计算结果",
            )


def verify(warehouse: Path, year: int) -> Verification:
    """Recompute the latest publication of `year` and compare; see the module docstring."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        publication = _latest_publication(conn, year)
        verification = Verification(publication)
        if evaluated(conn, year):
            verification.current = _current_differences(conn, year, publication)
        else:
            verification.current = [f"数据仓库中已没有 {year} 年度的评价结果 / the year is no longer evaluated here"]
    _recompute(Path(warehouse), year, publication, verification)
    return verification
