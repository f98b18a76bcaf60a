"""Rule tables and the data contract are data. One project copy (MUJUN_HOME) changes both, each
in its own files, and one `mujun evaluate` through the installed console script shows each change:

- another step amount and the Decisions of REWARDS.md turned the other way give other rewards;
- one more row in extracts.csv and its columns in extract_columns.csv make a new extract that is
  ingested, validated (a bad cell becomes a data-quality issue), reconciled and reported to its
  department, with no other file edited (docs/adding-an-extract.md);
- the run is recorded in the project's own Dagster instance (MUJUN_HOME/dagster_home, which
  `make dev` opens), with its data-year partition and the publishability check, and the command
  says what it did in Chinese (issue: what people see).

The changes touch different files and different outputs, so one run serves them all (another
project copy would cost a process start and a parse for nothing)."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd
import pytest
from dagster import AssetCheckSeverity, AssetKey, DagsterEventType, DagsterInstance, DagsterRunStatus
from test_rewards import REWARDS_EXPECTED, REWARDS_RAW, R

from dagster_project.dbt_build import copy_project
from dagster_project.uscc import check_character

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

ROOT = Path(__file__).parents[1]
SIX = "91411303RWLX60001" + check_character("91411303RWLX60001")  # 6亿, last year 4.8亿, 7亿 in 2021


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


class Project(NamedTuple):
    home: Path
    exports: Path
    warehouse: Path
    said: str  # what the command printed


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    tmp = tmp_path_factory.mktemp("project_copy")
    home = tmp / "project"
    copy_project(home)  # with the parse cache of this checkout
    shutil.copytree(ROOT / "data" / "seeds", home / "data" / "seeds")
    seeds = home / "data" / "seeds"

    # the rewards: band 3 of 产值增长奖 adds 1 instead of 0.5 a step; and the Decisions the other
    # way: every threshold crossed counts, a first crossing needs no previous output, bands overlap
    # (the larger amount wins)
    _replace(
        seeds / "reward_growth_bands.csv",
        "3,,,10000,false,0.20,1500,2,both,500,0.10,0.5,5,",
        "3,,,10000,false,0.20,1500,2,both,500,0.10,1,5,",
    )
    for name in ("breakthrough_highest_only", "breakthrough_requires_prev", "growth_bands_exclusive"):
        _replace(seeds / "reward_parameters.csv", f"{name},1,", f"{name},0,")

    # the contract: one more extract, of the environment bureau
    _append(seeds / "extracts.csv", "energy_audits,environment,生态环境局,false,false,节能监察记录\n")
    _append(
        seeds / "extract_columns.csv",
        "energy_audits,uscc,统一社会信用代码,uscc,,true,1\n"
        "energy_audits,audit_id,监察编号,text,,true,2\n"
        "energy_audits,audited_on,监察日期,date,,true,3\n"
        "energy_audits,saving_tce,节能量(吨标准煤),decimal,,false,4\n",
    )

    raw = tmp / "raw"
    shutil.copytree(REWARDS_RAW / "2023", raw / "2023")
    _append(raw / "2023" / "statistics.csv", f"{SIX},示例六亿有限公司,王村街道,3412,规上,60000,48000,60000,48000,4800.0,9000,2015-01-01,\n")
    _append(raw / "2023" / "tax.csv", f"{SIX},600.0,否\n")
    _append(raw / "2023" / "land_parcels.csv", f"{SIX},411303-R99,30000\n")
    _append(raw / "2023" / "output_history.csv", f"{SIX},2021,70000\n")
    (raw / "2023" / "energy_audits.csv").write_text(
        "uscc,audit_id,audited_on,saving_tce\n"
        f"{R['R1']},JC-2023-01,2023-04-01,12.5\n"
        f"{R['R2']},JC-2023-02,2023-13-45,3\n"
        f"{R['R3']},JC-2023-03,2023-06-01,\n",
        encoding="utf-8",
    )

    exports, warehouse = tmp / "exports", tmp / "w.duckdb"
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("mujun")),
            "evaluate",
            "--year",
            "2023",
            "--raw-dir",
            str(raw),
            "--export-dir",
            str(exports),
            "--warehouse",
            str(warehouse),
        ],
        capture_output=True,
        text=True,
        # as a user runs it: the copy's own Dagster instance, not the tests' (conftest.py)
        env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"} | {"MUJUN_HOME": str(home)},
        timeout=900,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    return Project(home, exports, warehouse, done.stdout)


def test_rule_tables_drive_the_rewards_step_amount_and_every_decision(project):
    exports = project.exports
    got = pd.read_csv(exports / "2023" / "rewards.csv", dtype=str, keep_default_na=False)
    got = {(r.uscc, r.item): (float(r.amount), r.status) for r in got.itertuples()}
    expected = pd.read_csv(REWARDS_EXPECTED / "rewards.csv", dtype=str, keep_default_na=False)
    expected = {(r.uscc, r.item): (float(r.amount), r.status) for r in expected.itertuples()}
    expected[(R["R5"], "output_growth")] = (3.0, "granted")  # 2 + 1 step × 1 (was 2.5)
    expected[(R["R6"], "output_growth")] = (5.0, "granted")  # 2 + 5 steps × 1, capped at 5 (was 4.5)
    expected[(R["R4"], "output_breakthrough")] = (50.0, "granted")  # 20亿 and 10亿: 30 + 20 (was 30)
    expected[(R["R16"], "output_breakthrough")] = (5.0, "granted")  # no previous output, no history over 1亿
    expected[(SIX, "output_growth")] = (10.0, "granted")  # band 2 (capped 10) beats band 1 (8)
    assert got == expected


def test_a_new_extract_is_ingested_validated_reconciled_and_reported(project):
    home, exports, warehouse, _ = project
    # the generated extract list of the copy names the new extract (and only the copy's)
    assert "energy_audits" in (home / "dbt" / "models" / "validation" / "_raw__sources.yml").read_text(encoding="utf-8")
    assert "energy_audits" not in (ROOT / "dbt" / "models" / "validation" / "_raw__sources.yml").read_text(encoding="utf-8")

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from raw.energy_audits").fetchone()[0] == 3
        assert conn.execute(
            """select file, line, uscc, "check", column_name, value, department_zh from marts.dq_issues
               where data_year = 2023 and file = 'energy_audits.csv'"""
        ).fetchall() == [("energy_audits.csv", 3, R["R2"], "date_invalid", "audited_on", "2023-13-45", "生态环境局")]
        assert conn.execute(
            """select department, delivered, rows_read, rows_quarantined, rows_accepted from marts.delivery_reconciliation
               where data_year = 2023 and extract = 'energy_audits'"""
        ).fetchall() == [("environment", True, 3, 1, 2)]

    # the department's data-quality workbook lists the file and the bad cell
    report = exports / "2023" / "data_quality" / "environment_生态环境局.xlsx"
    sheets = pd.read_excel(report, sheet_name=None, dtype=str)
    text = "\n".join(frame.to_csv(index=False) for frame in sheets.values())
    assert "energy_audits.csv" in text and "2023-13-45" in text


def test_the_run_is_in_the_project_instance_with_its_partition_and_publishability(project):
    """(Also the console script's contract: exit status 3 above, outputs where asked, what it prints.)"""
    for name in ("classification.csv", "benchmarks.csv", "dq_issues.csv"):
        assert (project.exports / "2023" / name).is_file()
    with duckdb.connect(str(project.warehouse), read_only=True) as conn:
        counts = conn.execute(
            "select evaluated, blocked, out_of_scope, error_issues, warning_issues from marts.evaluation_status where data_year = 2023"
        ).fetchone()
        blocked = conn.execute(
            "select uscc, adjustments from marts.classification where data_year = 2023 and status = 'blocked'"
        ).fetchall()
        statuses = dict(
            conn.execute("select code, short_label_zh from reference.labels where data_year = 2023 and domain = 'status'").fetchall()
        )
        severities = dict(
            conn.execute("select code, label_zh from reference.labels where data_year = 2023 and domain = 'severity'").fetchall()
        )
    # the blocked enterprise with its reason as people read it (the copy's code_labels.csv), not the code
    assert blocked == [(R["R3"], "tax_missing")]  # R3 has no tax row
    with open(project.home / "data" / "seeds" / "code_labels.csv", encoding="utf-8") as f:
        label = next(r["label_zh"] for r in csv.DictReader(f) if r["domain"] == "status_reason" and r["code"] == "tax_missing")
    assert R["R3"] in project.said and label in project.said and "tax_missing" not in project.said
    # the progress lines say what each step does, in Chinese, not the steps' keys
    assert "✓ 写出本年度的全部结果" in project.said and "✓ 可否发布" in project.said and "✓ dbt 计算" in project.said
    words = [w for w in project.said.split() if "/" not in w and "." not in w]  # file paths and names aside
    assert [w for w in words if re.search(r"[a-z]_[a-z]", w)] == []  # raw_deliveries, exports__workbook, …

    home = project.home / "dagster_home"
    assert "enabled: false" in (home / "dagster.yaml").read_text(encoding="utf-8")  # no telemetry
    instance = DagsterInstance.from_config(str(home))
    runs = instance.get_runs()
    assert [(r.job_name, r.status, r.tags.get("dagster/partition")) for r in runs] == [
        ("evaluate_data_year", DagsterRunStatus.SUCCESS, "2023")
    ]
    for key in (AssetKey(["raw", "statistics"]), AssetKey(["raw", "energy_audits"]), AssetKey(["marts", "classification"])):
        assert instance.get_materialized_partitions(key) == {"2023"}, key

    records = instance.get_records_for_run(runs[0].run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
    checks = {r.event_log_entry.dagster_event.asset_check_evaluation_data.check_name: r for r in records}
    verdict = checks["publishable"].event_log_entry.dagster_event.asset_check_evaluation_data
    assert verdict.asset_key == AssetKey(["marts", "evaluation_status"])
    assert (verdict.passed, verdict.severity) == (False, AssetCheckSeverity.ERROR)
    # the counts under the names staff read everywhere else (labels of statuses and severities)
    shown = {name: value.value for name, value in verdict.metadata.items()}
    names = [f"{statuses[s]}（家）" for s in ("evaluated", "blocked", "out_of_scope")]
    names += [f"{severities[s]}级数据问题（条）" for s in ("error", "warning")]
    assert shown == dict(zip(names, counts))
    assert shown["暂不参评（家）"] == 1 and verdict.description == "存在暂不参评企业或错误级数据问题，本次结果不可发布。"
