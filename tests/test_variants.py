"""Runs on modified copies of the worked example: overrides, cutoff, exit statuses."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import Run, U, copy_worked, run_pipeline


def test_adjust_manual_override_sets_final_class_and_keeps_the_automatic_one(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    (raw / "2023" / "overrides.csv").write_text(
        f"uscc,final_class,reason,approved_by,approved_on\n{U['己']},C,异议复核：税款已于次年补缴,区委、区政府,2024-04-20\n",
        encoding="utf-8",
    )
    run = run_pipeline(tmp_path, raw)
    auto, final, adjustments, reason = run.one(
        "select auto_class, final_class, adjustments, override_reason from marts.classification where uscc = ?", [U["己"]]
    )
    assert (auto, final) == ("D", "C")
    assert adjustments == "not_a_low_tax;force_d;manual_override"
    assert reason == "异议复核：税款已于次年补缴"
    exported = run.csv("classification.csv").set_index("uscc")
    assert exported.at[U["己"], "final_class"] == "C"


def test_cutoff_changes_what_counts_as_halted_a_year(tmp_path):
    # 辛 halted on 2022-06-30; with the cutoff 2023-06-01 that is less than a year.
    run = run_pipeline(tmp_path, copy_worked(tmp_path / "raw"), cutoff=date(2023, 6, 1))
    final, adjustments = run.one("select final_class, adjustments from marts.classification where uscc = ?", [U["辛"]])
    assert final == "D" and adjustments == "not_a_low_tax"  # still D by rank, but not forced


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def _run_and_output(tmp_path, capsys, change) -> tuple[int, str]:
    raw = copy_worked(tmp_path / "raw")
    change(raw / "2023")
    run = run_pipeline(tmp_path, raw)
    return run.status, capsys.readouterr().out


def test_exit_2_names_the_missing_required_file(tmp_path, capsys):
    status, out = _run_and_output(tmp_path, capsys, lambda folder: (folder / "land_parcels.csv").unlink())
    assert status == 2
    assert "land_parcels.csv" in out and "缺少必需文件" in out and "Required file missing" in out


def test_exit_2_names_the_missing_required_column(tmp_path, capsys):
    status, out = _run_and_output(tmp_path, capsys, lambda folder: _edit(folder / "statistics.csv", ",township,", ",town,"))
    assert status == 2
    assert "statistics.csv" in out and "township" in out and "乡镇街道" in out


def test_console_script_contract(tmp_path):
    """The installed `mujun` command: same exit status, outputs where asked."""
    mujun = Path(sys.executable).with_name("mujun")
    from conftest import WORKED_RAW

    done = subprocess.run(
        [
            str(mujun),
            "evaluate",
            "--year",
            "2023",
            "--raw-dir",
            str(WORKED_RAW),
            "--export-dir",
            str(tmp_path / "out"),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    for name in ("classification.csv", "benchmarks.csv", "dq_issues.csv"):
        assert (tmp_path / "out" / "2023" / name).is_file()
    # the blocked enterprise with its reason as people read it (data/seeds/code_labels.csv), not the code
    with open(Path(__file__).parents[1] / "data" / "seeds" / "code_labels.csv", encoding="utf-8") as f:
        label = next(r["label_zh"] for r in csv.DictReader(f) if r["domain"] == "status_reason" and r["code"] == "energy_missing")
    assert "91411303H6W9U8TL12" in done.stdout and label in done.stdout and "energy_missing" not in done.stdout


def test_decision_benchmark_ratio_of_sums_and_one_ranking_group_are_recorded(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    export_dir, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    from dagster_project.evaluate import evaluate

    assert evaluate(2023, raw, export_dir, warehouse, benchmark_method="ratio_of_sums", ranking_groups="all") == 3
    run = Run(3, raw, export_dir, warehouse)
    benchmarks = dict(run.query("select indicator, value from marts.benchmarks"))
    assert benchmarks["tax_per_mu"] == pytest.approx(1140 / 195)  # Σ tax / Σ land of 甲乙丙丁丑
    assert benchmarks["output_per_mu"] == pytest.approx(48000 / 195)
    assert benchmarks["output_per_energy"] == pytest.approx(48000 / 20000)
    assert run.one("select max(group_size) from marts.classification") == 14
    assert run.one("select benchmark_method, ranking_groups from marts.evaluation_status") == ("ratio_of_sums", "all")
