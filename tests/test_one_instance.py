"""One Dagster instance (issue: what people see): the project's dagster_home/, which `make dev`
opens, says no telemetry and no sign-up dialog; a run recorded nowhere is one that asked for it.
(A `mujun evaluate` through the console script recorded there, with its data-year partition and
the publishability check: tests/test_project_copy.py, whose project copy has its own
dagster_home/.)"""

from __future__ import annotations

from dagster import DagsterInstance


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
    assert text.count("max_concurrent_runs") == 1


def test_runs_of_several_years_wait_for_one_another_the_earlier_year_first(tmp_path):
    """A backfill of 2022 and 2023 (or the sensor after a correction) queues both runs: one runs at
    a time (one warehouse, one writer), and 2022 goes first, whatever order they were submitted in:
    2023 takes its previous classes from 2022's results. Dagster launches the queued run of the
    highest priority first."""
    from dagster_project.definitions import defs
    from dagster_project.instance import ensure_home

    instance = DagsterInstance.from_config(str(ensure_home(tmp_path / "home")))
    assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
    config = defs.resolve_job_def("evaluate_data_year").partitioned_config
    priority = {year: int(config.get_tags_for_partition_key(year)["dagster/priority"]) for year in ("2022", "2023", "2024")}
    assert priority["2022"] > priority["2023"] > priority["2024"]
    assert config.get_run_config_for_partition_key("2023") == {}  # the decisions' defaults


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
