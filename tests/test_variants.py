"""Runs on modified copies of the worked example: overrides, cutoff, exit statuses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import Run, U, copy_run, copy_worked, run_pipeline

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py


@pytest.mark.parametrize("cutoff", [date(2022, 12, 31), date(2032, 12, 31)])
def test_a_cutoff_outside_the_data_year_and_the_year_after_is_refused_before_the_run(tmp_path, capsys, cutoff):
    """Last year's command line kept (--year 2023 --cutoff 2022-12-31), or a typo: every date
    condition would move; the run stops at once (exit 2) and writes nothing."""
    status = run_pipeline(tmp_path, copy_worked(tmp_path / "raw"), cutoff=cutoff).status
    assert status == 2
    assert f"评价统计截止日 {cutoff} 既不在 2023 年内" in capsys.readouterr().out
    assert not (tmp_path / "warehouse").exists() and not (tmp_path / "exports").exists()


@pytest.mark.parametrize(
    ("cutoff", "says"),
    [("2032-12-31", "既不在 2023 年内"), ("2023/12/31", "不是 YYYY-MM-DD 格式的日期"), ("2023-02-30", "或没有这一天（如 2 月 30 日）")],
)
def test_a_cutoff_set_in_the_dagster_ui_is_checked_as_on_the_command_line(tmp_path, worked, cutoff, says):
    from dagster import AssetKey, DagsterInstance

    from dagster_project import exit_status
    from dagster_project.definitions import build_definitions
    from dagster_project.defs.dbt_assets import evaluation_run_config
    from dagster_project.defs.resources import Locations, Warehouse

    run = copy_run(worked, tmp_path)
    defs = build_definitions(Warehouse(path=str(run.warehouse)), Locations(raw_dir=str(run.raw_dir), export_dir=str(run.export_dir)))
    result = defs.resolve_job_def("evaluate_data_year").execute_in_process(
        partition_key="2023",
        run_config=evaluation_run_config(cutoff=cutoff),
        instance=DagsterInstance.ephemeral(),
        asset_selection=[AssetKey(["marts", "classification"])],
        raise_on_error=False,
    )
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert says in failure.step_failure_data.error.message
    assert failure.step_failure_data.user_failure_data.metadata[exit_status.KIND].value == exit_status.INPUT


def test_a_manual_override_and_a_cutoff_of_one_run(tmp_path, worked):
    """Two changes of one run that touch different enterprises: the government's override of 己,
    and an earlier cutoff, under which 辛 (halted on 2022-06-30) has halted less than a year."""
    raw = copy_run(worked, tmp_path).raw_dir  # the worked example evaluated, then changed
    (raw / "2023" / "overrides.csv").write_text(
        f"uscc,final_class,reason,approved_by,approved_on\n{U['己']},C,异议复核：税款已于次年补缴,区委、区政府,2024-04-20\n",
        encoding="utf-8",
    )
    run = run_pipeline(tmp_path, raw, cutoff=date(2023, 6, 1))

    # the override sets the final class and keeps the automatic one
    auto, final, adjustments, reason = run.one(
        "select auto_class, final_class, adjustments, override_reason from marts.classification where uscc = ?", [U["己"]]
    )
    assert (auto, final) == ("D", "C")
    assert adjustments == "not_a_low_tax;force_d;manual_override"
    assert reason == "异议复核：税款已于次年补缴"
    exported = run.csv("classification.csv").set_index("uscc")
    assert exported.at[U["己"], "final_class"] == "C"

    # the cutoff changes what counts as halted a year
    final, adjustments = run.one("select final_class, adjustments from marts.classification where uscc = ?", [U["辛"]])
    assert final == "D" and adjustments == "not_a_low_tax"  # still D by rank, but not forced
    assert run.one("select cutoff from marts.evaluation_status") == date(2023, 6, 1)


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


def test_decision_benchmark_ratio_of_sums_and_one_ranking_group_are_recorded(tmp_path, worked):
    from dagster_project.evaluate import evaluate

    evaluated = copy_run(worked, tmp_path)  # evaluated with the default decisions first
    raw, export_dir, warehouse = evaluated.raw_dir, evaluated.export_dir, evaluated.warehouse
    assert evaluate(2023, raw, export_dir, warehouse, benchmark_method="ratio_of_sums", ranking_groups="all") == 3
    run = Run(3, raw, export_dir, warehouse)
    benchmarks = dict(run.query("select indicator, value from marts.benchmarks"))
    assert benchmarks["tax_per_mu"] == pytest.approx(1140 / 195)  # Σ tax / Σ land of 甲乙丙丁丑
    assert benchmarks["output_per_mu"] == pytest.approx(48000 / 195)
    assert benchmarks["output_per_energy"] == pytest.approx(48000 / 20000)
    assert run.one("select max(group_size) from marts.classification") == 14
    assert run.one("select benchmark_method, ranking_groups from marts.evaluation_status") == ("ratio_of_sums", "all")
