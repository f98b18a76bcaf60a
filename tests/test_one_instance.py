"""One Dagster instance (issue: what people see): a `mujun evaluate` run is recorded in the
project's dagster_home/, which `make dev` opens, with its data-year partition materialized; and
whether the year may be published is an asset check there (ERROR for the worked example, which
has blocked enterprises), the same verdict as the exit status."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetCheckSeverity, AssetKey, DagsterEventType, DagsterInstance, DagsterRunStatus

from conftest import copy_run
from dagster_project.dbt_build import copy_project

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

ROOT = Path(__file__).parents[1]


def test_a_cli_run_is_in_the_project_instance_with_its_partition_and_publishability(tmp_path, worked):
    """(Also the console script's contract: exit status, outputs where asked, what it prints.)"""
    home = tmp_path / "project"  # a project copy: its dagster_home/ is the one written
    copy_project(home)  # with the parse cache of this checkout
    (home / "dbt" / "target").mkdir(exist_ok=True)
    shutil.copy(ROOT / "dbt" / "target" / "manifest.json", home / "dbt" / "target")
    shutil.copytree(ROOT / "data" / "seeds", home / "data" / "seeds")
    run = copy_run(worked, tmp_path / "run")
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"} | {"MUJUN_HOME": str(home)}
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("mujun")),
            "evaluate",
            "--year",
            "2023",
            "--raw-dir",
            str(run.raw_dir),
            "--export-dir",
            str(run.export_dir),
            "--warehouse",
            str(run.warehouse),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    # the installed console script: outputs where asked, the blocked enterprise with its reason as
    # people read it (data/seeds/code_labels.csv), not the code
    for name in ("classification.csv", "benchmarks.csv", "dq_issues.csv"):
        assert (run.export_dir / "2023" / name).is_file()
    with open(ROOT / "data" / "seeds" / "code_labels.csv", encoding="utf-8") as f:
        label = next(r["label_zh"] for r in csv.DictReader(f) if r["domain"] == "status_reason" and r["code"] == "energy_missing")
    assert "91411303H6W9U8TL12" in done.stdout and label in done.stdout and "energy_missing" not in done.stdout
    # the progress lines say what each step does, in Chinese, not the steps' keys
    assert "✓ 写出本年度的全部结果" in done.stdout and "✓ 可否发布" in done.stdout and "✓ dbt 计算" in done.stdout
    words = [w for w in done.stdout.split() if "/" not in w and "." not in w]  # file paths and names aside
    assert [w for w in words if re.search(r"[a-z]_[a-z]", w)] == []  # raw_deliveries, exports__workbook, …

    assert "enabled: false" in (home / "dagster_home" / "dagster.yaml").read_text(encoding="utf-8")  # no telemetry
    instance = DagsterInstance.from_config(str(home / "dagster_home"))
    runs = instance.get_runs()
    assert [(r.job_name, r.status, r.tags.get("dagster/partition")) for r in runs] == [
        ("evaluate_data_year", DagsterRunStatus.SUCCESS, "2023")
    ]
    for key in (AssetKey(["raw", "statistics"]), AssetKey(["marts", "classification"])):
        assert instance.get_materialized_partitions(key) == {"2023"}, key

    records = instance.get_records_for_run(runs[0].run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
    checks = {r.event_log_entry.dagster_event.asset_check_evaluation_data.check_name: r for r in records}
    verdict = checks["publishable"].event_log_entry.dagster_event.asset_check_evaluation_data
    assert verdict.asset_key == AssetKey(["marts", "evaluation_status"])
    assert (verdict.passed, verdict.severity) == (False, AssetCheckSeverity.ERROR)
    counts = run.query("select evaluated, blocked, out_of_scope, error_issues, warning_issues from marts.evaluation_status")[0]
    assert counts[:3] == (14, 2, 1)
    # the counts under the names staff read everywhere else (labels of statuses and severities)
    shown = {name: value.value for name, value in verdict.metadata.items()}
    statuses = dict(run.query("select code, short_label_zh from reference.labels where data_year = 2023 and domain = 'status'"))
    severities = dict(run.query("select code, label_zh from reference.labels where data_year = 2023 and domain = 'severity'"))
    names = [f"{statuses[s]}（家）" for s in ("evaluated", "blocked", "out_of_scope")]
    names += [f"{severities[s]}级数据问题（条）" for s in ("error", "warning")]
    assert shown == dict(zip(names, counts))
    assert shown["暂不参评（家）"] == 2 and verdict.description == "存在暂不参评企业或错误级数据问题，本次结果不可发布。"


def test_the_instance_turns_off_telemetry_and_the_sign_up_dialog_keeping_what_else_it_says(tmp_path):
    from dagster_project.instance import ensure_home

    ensure_home(tmp_path / "new")
    instance = DagsterInstance.from_config(str(tmp_path / "new"))
    assert (instance.telemetry_enabled, instance.nux_enabled) == (False, False)
    # a dagster_home made by an older mujun (telemetry only, no final newline) gets the rest
    older = tmp_path / "older"
    older.mkdir()
    (older / "dagster.yaml").write_text("telemetry:\n  enabled: false\nrun_monitoring:\n  enabled: true", encoding="utf-8")
    ensure_home(older)
    ensure_home(older)  # once
    text = (older / "dagster.yaml").read_text(encoding="utf-8")
    assert text.count("nux:") == 1 and "run_monitoring" in text
    instance = DagsterInstance.from_config(str(older))
    assert (instance.telemetry_enabled, instance.nux_enabled) == (False, False)


def test_a_run_with_no_instance_is_recorded_nowhere_and_one_without_is_recorded(tmp_path, dagster_home):
    """`mujun evaluate --no-instance` (what `mujun verify` recomputes with, in a scratch warehouse)
    leaves the Dagster instance as it was; the same command without it is recorded there. (A
    missing required file ends both runs early: what is recorded does not depend on how far a run
    gets.)"""
    from conftest import copy_worked
    from dagster_project.cli import main

    raw = copy_worked(tmp_path / "raw")
    (raw / "2023" / "land_parcels.csv").unlink()
    args = ["evaluate", "--year", "2023", "--raw-dir", str(raw), "--export-dir", str(tmp_path / "out")]
    instance = DagsterInstance.from_config(str(dagster_home))
    before = len(instance.get_runs())
    assert main([*args, "--warehouse", str(tmp_path / "a.duckdb"), "--no-instance"]) == 2
    assert len(instance.get_runs()) == before
    assert main([*args, "--warehouse", str(tmp_path / "b.duckdb")]) == 2
    assert len(instance.get_runs()) == before + 1
