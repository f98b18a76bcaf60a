"""The yearly schedule and the new-delivery sensor."""

from __future__ import annotations

import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

from dagster import AssetKey, build_schedule_context, build_sensor_context

from dagster_project.definitions import defs
from dagster_project.defs.resources import Locations, Warehouse


def test_schedule_tick_on_15_march_requests_the_previous_data_year():
    schedule = defs.resolve_schedule_def("annual_evaluation")
    assert schedule.cron_schedule == "0 9 15 3 *" and schedule.execution_timezone == "Asia/Shanghai"
    context = build_schedule_context(
        scheduled_execution_time=datetime(2025, 3, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        repository_def=defs.get_repository_def(),
    )
    request = schedule.evaluate_tick(context).run_requests[0]
    assert request.partition_key == "2024"


def _tick(sensor, raw_dir, warehouse, cursor=None):
    context = build_sensor_context(
        cursor=cursor,
        repository_def=defs.get_repository_def(),
        resources={
            "locations": Locations(raw_dir=str(raw_dir), export_dir=str(warehouse.parent / "exports")),
            "warehouse": Warehouse(path=str(warehouse)),
        },
    )
    result = sensor.evaluate_tick(context)
    return result.run_requests, result.cursor


def test_sensor_requests_a_run_for_the_changed_year_only(tmp_path, worked):
    from conftest import copy_run

    run = copy_run(worked, tmp_path / "run")  # the warehouse holds the computation of 2023
    raw = run.raw_dir
    shutil.copytree(raw / "2023", raw / "2022")
    sensor = defs.resolve_sensor_def("new_delivery_sensor")

    first, cursor = _tick(sensor, raw, run.warehouse)
    # everything is new to the sensor; 2023 is as computed, 2022 was never computed: all of it
    assert [(r.partition_key, r.asset_selection) for r in first] == [("2022", None)]

    quiet, cursor = _tick(sensor, raw, run.warehouse, cursor)
    assert quiet == []  # nothing changed

    tax = raw / "2023" / "tax.csv"
    tax.write_text(tax.read_text(encoding="utf-8").replace("91411303GWXUCJMA40", "91411303GWXUCJMA4F"), encoding="utf-8")
    changed, cursor = _tick(sensor, raw, run.warehouse, cursor)
    assert [r.partition_key for r in changed] == ["2023"]
    selection = set(changed[0].asset_selection)
    assert AssetKey(["raw", "tax"]) in selection and AssetKey(["marts", "classification"]) in selection
    assert AssetKey(["raw", "statistics"]) not in selection  # only what depends on the changed extract
    assert AssetKey(["rules", "class_cutoffs"]) not in selection and AssetKey(["reference", "labels"]) not in selection

    again, _ = _tick(sensor, raw, run.warehouse, cursor)
    assert again == []


def test_sensor_compares_the_folder_with_the_warehouse_not_with_its_last_tick(tmp_path, worked):
    """A folder evaluated by hand needs no run; put back to the version of an earlier computation
    after another one, it does (the warehouse holds the other's results); a year whose previous
    year was computed again since is evaluated again, as a whole."""
    import duckdb

    from conftest import copy_run
    from dagster_project.evaluate import evaluate

    run = copy_run(worked, tmp_path / "run")  # 2023 computed from the worked deliveries (A)
    raw, sensor = run.raw_dir, defs.resolve_sensor_def("new_delivery_sensor")
    tax = raw / "2023" / "tax.csv"
    version_a = tax.read_text(encoding="utf-8")
    quiet, cursor = _tick(sensor, raw, run.warehouse)
    assert quiet == []  # a new sensor: nothing is behind its folder
    tax.write_text(version_a.replace("91411303GWXUCJMA40", "91411303GWXUCJMA4F"), encoding="utf-8")  # B
    (b_request,), cursor = _tick(sensor, raw, run.warehouse, cursor)
    assert evaluate(2023, raw, run.export_dir, run.warehouse) == 3  # B evaluated by hand meanwhile
    assert _tick(sensor, raw, run.warehouse, cursor)[0] == []
    tax.write_text(version_a, encoding="utf-8")  # back to A: the warehouse holds B's results
    (a_request,), cursor = _tick(sensor, raw, run.warehouse, cursor)
    assert a_request.partition_key == "2023" and a_request.tags["mujun/extracts"] == "tax"
    assert a_request.run_key != b_request.run_key
    assert AssetKey(["raw", "tax"]) in set(a_request.asset_selection)
    with duckdb.connect(str(run.warehouse)) as conn:  # as if A had been evaluated, then 2022 after it
        conn.execute("update runs.computations set finished_at = null where data_year = 2023")
    assert evaluate(2023, raw, run.export_dir, run.warehouse) == 3
    with duckdb.connect(str(run.warehouse)) as conn:
        conn.execute("insert into runs.computations values ('a-2022-run', 2022, now(), now(), null)")
    (again,), _ = _tick(sensor, raw, run.warehouse, cursor)
    assert (again.partition_key, again.asset_selection, again.tags["mujun/trigger"]) == ("2023", None, "earlier-year")
    assert again.tags["mujun/earlier_years"] == "2022"


def test_objection_cycle_override_shows_in_the_diff_and_in_the_final_class(tmp_path, worked):
    from openpyxl import load_workbook

    from conftest import U, copy_run, run_pipeline

    first = copy_run(worked, tmp_path)
    raw = first.raw_dir
    assert first.query("select * from marts.classification_changes") == []  # nothing to compare yet
    (raw / "2023" / "overrides.csv").write_text(
        f"uscc,final_class,reason,approved_by,approved_on\n{U['己']},C,异议复核：税款已于次年补缴,区委、区政府,2024-04-20\n",
        encoding="utf-8",
    )
    second = run_pipeline(tmp_path, raw)
    changes = second.query(
        "select uscc, change, previous_class, final_class, override_reason from marts.classification_changes where data_year = 2023"
    )
    assert changes == [(U["己"], "class_changed", "D", "C", "异议复核：税款已于次年补缴")]
    assert second.one("select final_class, auto_class from marts.classification where uscc = ?", [U["己"]]) == ("C", "D")
    assert second.one("select count(distinct run_id) from marts.classification_runs where data_year = 2023") == 2
    sheet = load_workbook(second.export_dir / "2023" / "变更对比_2023.xlsx")["变更对比"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert rows == [
        [
            "示例己包装有限公司",
            U["己"],
            "七里园乡",
            "类别变化",
            "参评",
            "参评",
            "D",
            "C",
            58.9286,
            58.9286,
            0,
            "异议复核：税款已于次年补缴",
            # what changed the class, in words (issue 12), not the codes of every condition that held
            "B→D：直接列入D类（上年度税收为零）；D→C：区委、区政府审定（异议复核：税款已于次年补缴）",
        ]
    ]
