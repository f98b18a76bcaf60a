"""Every run writes a log of its own beside the warehouse (logs/<command>-<year>-<time>-<run>.log):
a second run started meanwhile, which then stops at the warehouse's lock, used to truncate the
log the first run was still writing, and each run replaced the last one's."""

from __future__ import annotations

from conftest import U, copy_run, run_pipeline
from dagster_project.evaluate import KEPT_LOGS, _new_log_file, export


def test_each_run_keeps_a_log_of_its_own_and_the_earlier_ones_stay(worked, tmp_path, capsys):
    run = copy_run(worked, tmp_path)
    folder = run.warehouse.parent / "logs"
    assert export(2023, run.export_dir, run.warehouse) == 0
    (first,) = folder.glob("export-2023-*.log")
    assert "✓ 写出本年度的全部结果" in first.read_text(encoding="utf-8")  # each step that finished, as on the console
    with open(first, "a", encoding="utf-8") as log:
        log.write("第一次导出的日志\n")
    assert export(2023, run.export_dir, run.warehouse) == 0
    logs = sorted(folder.glob("export-2023-*.log"))
    assert len(logs) == 2 and logs[0] == first
    assert first.read_text(encoding="utf-8").endswith("第一次导出的日志\n")  # neither replaced nor truncated
    said = capsys.readouterr().out.replace("\n", "")  # the console wraps a long path
    assert all(str(log) in said for log in logs)


def test_a_runs_log_holds_dbts_lines_and_dagsters_in_order(worked, tmp_path):
    """dbt prints on the run's standard output and Dagster logs through a handler, both into the
    run's log: the handler appends, where it used to write from the start over dbt's first lines."""
    run = copy_run(worked, tmp_path)
    (run.raw_dir / "2023" / "overrides.csv").write_text(
        f"uscc,final_class,reason,approved_by,approved_on\n{U['甲']},A,测试：审定为A类,区委、区政府,2024-04-20\n", encoding="utf-8"
    )
    run_pipeline(tmp_path, run.raw_dir)
    (log,) = (run.warehouse.parent / "logs").glob("evaluate-2023-*.log")
    text = log.read_text(encoding="utf-8")
    assert text.index("Running with dbt=") < text.index("dbt 构建")  # dbt's first line, then the step's summary


def test_only_the_newest_logs_of_a_command_and_year_are_kept(tmp_path):
    warehouse = tmp_path / "warehouse" / "mujun.duckdb"
    folder = warehouse.parent / "logs"
    folder.mkdir(parents=True)
    old = [folder / f"evaluate-2023-2024{month:02d}01-120000-0000000{month % 10}.log" for month in range(1, 13)]
    old += [folder / f"evaluate-2023-2025{month:02d}01-120000-0000000{month % 10}.log" for month in range(1, 13)]
    others = [folder / "evaluate-2022-20260101-120000-00000000.log", folder / "export-2023-20260101-120000-00000000.log"]
    others.append(folder / "evaluate-2022.log")  # the one log of a year that earlier versions kept
    legacy = folder / "evaluate-2023.log"  # ... older than every log named by its time
    for path in [legacy, *old, *others]:
        path.write_text("…", encoding="utf-8")
    new = _new_log_file(warehouse, "evaluate", 2023, "abcdef12-3456")
    assert new.parent == folder and new.name.startswith("evaluate-2023-") and new.name.endswith("-abcdef12.log")
    kept = sorted(folder.glob("evaluate-2023-*.log"))
    assert kept == old[-(KEPT_LOGS - 1) :]  # with the new one, KEPT_LOGS
    assert all(path.exists() for path in others) and not legacy.exists()
    assert new > kept[-1]  # names sort by the time the run started
