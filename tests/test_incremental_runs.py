"""A run recomputes only what depends on what changed since the year's latest computation
(run_plan.py), everything when the working tables are not that computation's, nothing when
nothing changed; exports a run does not write are carried over as they were published."""

from __future__ import annotations

import os
import shutil

import duckdb
import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance

from conftest import WORKED_RAW, U, copy_run, run_pipeline
from dagster_project import run_plan
from dagster_project.defs.evaluation_config import EvaluationConfig

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

DEFAULTS = EvaluationConfig().model_dump()


def _plan(run, decisions=DEFAULTS):
    return run_plan.plan(run.warehouse, run.raw_dir, run.year, decisions)


def test_the_plan_of_an_unchanged_year_is_nothing_and_each_change_says_what(tmp_path, worked):
    run = copy_run(worked, tmp_path)
    assert _plan(run) == run_plan.Plan(False)
    assert _plan(run).nothing

    overrides = run.raw_dir / "2023" / "overrides.csv"
    overrides.write_text(
        f"uscc,final_class,reason,approved_by,approved_on\n{U['甲']},B,异议复核,区委、区政府,2024-04-20\n", encoding="utf-8"
    )
    assert _plan(run) == run_plan.Plan(False, extracts=("overrides",))

    (run.raw_dir / "2023" / "finance.csv").unlink()  # a delivery withdrawn is a change too
    assert _plan(run).extracts == ("finance", "overrides")


def test_a_change_of_the_parameters_every_delivery_is_judged_by_recomputes_everything(tmp_path, worked, monkeypatch):
    """The whole-file checks judge every delivery against rule parameters (ge_mostly, the unit
    bounds): changed, they judge all of them again, which only a run of the whole year does; any
    other rule table rebuilds what depends on it."""
    from dagster_project import expectations

    run = copy_run(worked, tmp_path)
    tables = run_plan.rule_tables()
    monkeypatch.setattr(run_plan, "rule_tables", lambda: {**tables, "bonus_points": "edited"})
    assert _plan(run) == run_plan.Plan(False, rule_tables=("bonus_points",))
    monkeypatch.setattr(run_plan, "rule_tables", lambda: {**tables, expectations.RULE_TABLE: "edited"})
    plan = _plan(run)
    assert plan.everything and "每份报送文件都须按新参数重新检查" in plan.reason


@pytest.mark.parametrize(
    "change, reason",
    [
        ("decisions", "评价参数不同"),
        ("stray file", "约定之外的文件有变化"),
        ("another year computed last", "最近一次计算是 2022 年度"),
        ("unfinished", "最近一次计算未完成"),
    ],
)
def test_everything_is_recomputed_when_the_working_tables_may_not_be_the_years(tmp_path, worked, change, reason):
    run = copy_run(worked, tmp_path)
    decisions = DEFAULTS
    if change == "decisions":
        decisions = {**DEFAULTS, "ranking_groups": "all"}
    elif change == "stray file":
        (run.raw_dir / "2023" / "tax_更正.csv").write_text("uscc,tax_paid\n", encoding="utf-8")
    else:
        with duckdb.connect(str(run.warehouse)) as conn:
            if change == "unfinished":
                conn.execute("update runs.computations set finished_at = null")
            else:
                conn.execute("insert into runs.computations values ('other', 2022, now(), now(), null)")
    plan = _plan(run, decisions)
    assert plan.everything and reason in plan.reason


def test_an_override_recomputes_its_descendants_only_and_keeps_the_other_exports(tmp_path, worked, capsys, dbt_folders):
    run = copy_run(worked, tmp_path)
    year_dir = run.export_dir / "2023"
    overrides = run.raw_dir / "2023" / "overrides.csv"
    overrides.write_text(
        f"uscc,final_class,reason,approved_by,approved_on\n{U['己']},C,异议复核：税款已于次年补缴,区委、区政府,2024-04-20\n",
        encoding="utf-8",
    )
    instance = DagsterInstance.ephemeral()
    from dagster_project.evaluate import evaluate

    status = evaluate(2023, run.raw_dir, run.export_dir, run.warehouse, instance=instance)
    assert status == worked.status
    out = capsys.readouterr().out
    assert "只重新计算受以下变化影响的部分" in out
    # the tax file was judged by the earlier run, not this one: what it found is still said
    assert "整份文件检查未通过：税务局 tax.csv" in out

    [record] = instance.get_runs()
    selected = record.asset_selection
    assert AssetKey(["raw", "overrides"]) in selected and AssetKey(["marts", "classification"]) in selected
    assert AssetKey(["raw", "tax"]) not in selected and AssetKey(["rules", "class_cutoffs"]) not in selected
    assert AssetKey(["reference", "labels"]) not in selected

    # the override took effect, and every output of the year is published
    classes = run.csv("classification.csv").set_index("uscc")
    assert classes.loc[U["己"], "final_class"] == "C"
    assert sorted(p.name for p in year_dir.iterdir()) == sorted(p.name for p in (worked.export_dir / "2023").iterdir())
    # the successful build's own dbt folder (compiled SQL, ~13 MB) is gone: a year evaluated again
    # and again does not fill the disk
    [build] = [folder for folder in dbt_folders if folder.name.startswith("build-")]
    assert not build.exists()


# columns that name a run, a load, a moment or the folder a delivery was read from: they differ
# between any two runs of two copies
RUN_COLUMNS = {"run_id", "previous_run_id", "run_at", "loaded_at", "evaluated_at", "load_id", "source_path"}


def test_a_changed_delivery_rebuilds_its_own_staging_only_and_gives_what_a_full_run_gives(tmp_path, worked):
    """Validation reads every delivery in one pass, but a changed tax file changes nothing the
    staging models of the other extracts read: they are kept, and every table of the year is
    what recomputing everything gives."""
    from dagster_project.evaluate import evaluate

    runs = {how: copy_run(worked, tmp_path / how) for how in ("incremental", "whole")}
    for run in runs.values():
        tax = run.raw_dir / "2023" / "tax.csv"
        lines = tax.read_text(encoding="utf-8").splitlines()
        lines[1] = lines[1].replace(",600,", ",900,")  # 甲 paid more
        lines.append(f"{U['乙']}x,abc,否")  # a line to quarantine: neither its code nor its amount reads
        tax.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with duckdb.connect(str(runs["whole"].warehouse)) as conn:  # this one may not build on its tables: it recomputes everything
        conn.execute("update runs.computations set finished_at = null")
    instances = {how: DagsterInstance.ephemeral() for how in runs}
    for how, run in runs.items():
        assert evaluate(2023, run.raw_dir, run.export_dir, run.warehouse, instance=instances[how]) == worked.status

    [record] = instances["incremental"].get_runs()
    selected = record.asset_selection
    assert AssetKey(["staging", "stg_tax__payments"]) in selected and AssetKey(["marts", "classification"]) in selected
    assert AssetKey(["staging", "stg_statistics__enterprises"]) not in selected
    assert not instances["whole"].get_runs()[0].asset_selection  # no selection: everything

    with duckdb.connect() as conn:
        for how, run in runs.items():
            conn.execute(f"attach '{run.warehouse}' as {how} (read_only)")
        tables = conn.execute(
            """select table_schema, table_name from information_schema.tables where table_catalog = 'whole'
               and table_schema in ('validation', 'staging', 'intermediate', 'marts') order by all"""
        ).fetchall()
        assert len(tables) > 60
        for schema, table in tables:
            columns = [
                c
                for (c,) in conn.execute(
                    """select column_name from information_schema.columns
                       where table_catalog = 'whole' and table_schema = ? and table_name = ? order by ordinal_position""",
                    [schema, table],
                ).fetchall()
                if c not in RUN_COLUMNS
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            differing = conn.execute(
                f"""select count(*) from (
                      (select {listed} from incremental.{schema}.{table} except all select {listed} from whole.{schema}.{table})
                      union all
                      (select {listed} from whole.{schema}.{table} except all select {listed} from incremental.{schema}.{table}))"""
            ).fetchone()[0]
            assert differing == 0, f"{schema}.{table}"
    # the change took effect
    quarantined = "select count(*) from validation.validation_quarantined_lines where extract = 'tax'"
    assert runs["incremental"].one(quarantined) == worked.one(quarantined) + 1
    assert runs["incremental"].csv("classification.csv").equals(runs["whole"].csv("classification.csv"))


def _pay_more(run) -> tuple[str, str]:
    """甲's tax raised from 600 to 900 in the folder; the file's text before and after."""
    tax = run.raw_dir / "2023" / "tax.csv"
    before = tax.read_text(encoding="utf-8")
    tax.write_text(before.replace(f"{U['甲']},600,", f"{U['甲']},900,"), encoding="utf-8")
    return before, tax.read_text(encoding="utf-8")


def test_a_delivery_a_failed_run_left_in_force_is_replaced_by_the_folders_file(tmp_path, worked):
    """A run that fails after ingesting (a required file missing further on) leaves its deliveries
    in force without a computation made from them; the folder's file put back as it was is a change
    then: ingested again and in force, and the results are the worked example's."""
    from dagster_project.contract import extracts
    from dagster_project.ingest import ingest_extract

    run = copy_run(worked, tmp_path)
    before, _ = _pay_more(run)
    with duckdb.connect(str(run.warehouse)) as conn:  # what the failed run committed
        assert ingest_extract(conn, extracts()["tax"], 2023, run.raw_dir).unchanged is False
    (run.raw_dir / "2023" / "tax.csv").write_text(before, encoding="utf-8")  # put back
    assert _plan(run).extracts == ("tax",)
    assert run_pipeline(tmp_path, run.raw_dir).status == worked.status
    in_force = "select sha256 from validation.validation_current_loads where extract = 'tax'"
    assert run.one(in_force) == worked.one(in_force)
    for name in ("classification.csv", "benchmarks.csv", "dq_issues.csv"):
        assert run.csv(name).equals(worked.csv(name)), name


def test_outputs_of_another_folder_are_not_up_to_date(tmp_path, worked, capsys):
    """The year evaluated into one export folder and then, after a change, into another: the
    first folder holds the outputs of before the change, and a run into it writes them again
    (rather than finding that nothing changed since the latest computation)."""
    from dagster_project.evaluate import evaluate

    run = copy_run(worked, tmp_path)
    _pay_more(run)
    elsewhere = tmp_path / "elsewhere"
    assert evaluate(2023, run.raw_dir, elsewhere, run.warehouse) == worked.status
    capsys.readouterr()
    assert evaluate(2023, run.raw_dir, run.export_dir, run.warehouse) == worked.status
    assert "没有变化" not in capsys.readouterr().out
    for name in ("classification.csv", "benchmarks.csv"):
        assert run.csv(name).equals(pd.read_csv(elsewhere / "2023" / name, dtype=str, keep_default_na=False)), name
    assert not run.csv("classification.csv").equals(worked.csv("classification.csv"))


def test_nothing_changed_recomputes_nothing_and_leaves_the_outputs(tmp_path, worked, capsys):
    run = copy_run(worked, tmp_path)
    classification = run.export_dir / "2023" / "classification.csv"
    before = classification.stat().st_mtime_ns
    assert run_pipeline(tmp_path, run.raw_dir).status == worked.status
    assert "没有变化" in capsys.readouterr().out
    assert classification.stat().st_mtime_ns == before

    # an output deleted since (the public notice): not up to date; the outputs are written again
    notice = run.export_dir / "2023" / "公示名单_2023.xlsx"
    notice.unlink()
    assert run_pipeline(tmp_path, run.raw_dir).status == worked.status
    assert "没有变化" not in capsys.readouterr().out
    assert notice.is_file() and run.csv("classification.csv").equals(worked.csv("classification.csv"))


def _failure_of_a_run_from_the_ui(run, chosen: AssetKey) -> str:
    """What the one step that failed says, in 2023's run with only `chosen` selected, as the
    Dagster UI launches it (the run goes on after a failed step)."""
    from dagster_project.definitions import build_definitions
    from dagster_project.defs.resources import Locations, Warehouse

    defs = build_definitions(Warehouse(path=str(run.warehouse)), Locations(raw_dir=str(run.raw_dir), export_dir=str(run.export_dir)))
    result = defs.resolve_job_def("evaluate_data_year").execute_in_process(
        partition_key="2023", instance=DagsterInstance.ephemeral(), asset_selection=[chosen], raise_on_error=False
    )
    [failure] = [e for e in result.all_events if e.is_step_failure]
    return failure.step_failure_data.error.message


def test_a_subset_chosen_in_the_ui_on_another_years_tables_is_refused(tmp_path, worked):
    run = copy_run(worked, tmp_path)
    shutil.copytree(WORKED_RAW / "2023", run.raw_dir / "2022")
    with duckdb.connect(str(run.warehouse)) as conn:  # as if 2022 had been computed after 2023
        conn.execute("insert into runs.computations values ('other', 2022, now(), now(), null)")
    assert "只能重新计算 2023 年度的全部模型" in _failure_of_a_run_from_the_ui(run, AssetKey(["marts", "classification"]))
    assert os.path.isfile(run.export_dir / "2023" / "classification.csv")  # nothing published, nothing lost


def test_exports_chosen_in_the_ui_without_putting_them_in_place_are_refused(tmp_path, worked):
    """Materialized alone, an export would be written into the run's staging folder and left
    there, the run said successful: it is refused, and the outputs stay as they were."""
    run = copy_run(worked, tmp_path)
    before = (run.export_dir / "2023" / "classification.csv").read_bytes()
    assert "请同时选择 published/outputs" in _failure_of_a_run_from_the_ui(run, AssetKey(["exports", "csv"]))
    assert (run.export_dir / "2023" / "classification.csv").read_bytes() == before
    assert not list(run.export_dir.glob(".*.partial"))  # nothing staged (the record of the failed step goes at the next run)


def test_exports_a_run_did_not_write_are_carried_over_as_published(tmp_path):
    from dagster_project.outputs import staging

    published = tmp_path / "2023"
    (published / "diagnosis").mkdir(parents=True)
    for name in ("classification.csv", "dq_issues.csv"):  # an earlier run's outputs
        (published / name).write_text("old", encoding="utf-8")
    (published / "rewards.csv").write_text("as published", encoding="utf-8")
    (published / "diagnosis" / "a.html").write_text("page", encoding="utf-8")
    root = staging.begin(tmp_path, 2023, "run-2", lambda _: False)
    (root / "2023").mkdir()
    (root / "2023" / "classification.csv").write_text("new", encoding="utf-8")
    staging.mark_done(root, "csv", ["classification.csv"])
    staging.carry_over(tmp_path, 2023, root, {"reward_csv": ["rewards.csv"], "diagnoses": ["diagnosis/a.html"]})
    assert staging.done_files(root) == {"csv": ["classification.csv"], "diagnoses": ["diagnosis/a.html"], "reward_csv": ["rewards.csv"]}
    staging.swap_in(tmp_path, 2023, "run-2", ["csv", "reward_csv", "diagnoses"])
    assert (published / "rewards.csv").read_text(encoding="utf-8") == "as published"
    assert (published / "classification.csv").read_text(encoding="utf-8") == "new"
    assert (published / "diagnosis" / "a.html").is_file()


def test_a_published_file_missing_cannot_be_carried_over(tmp_path):
    from dagster_project.outputs import staging

    (tmp_path / "2023").mkdir()
    root = staging.begin(tmp_path, 2023, "run-2", lambda _: False)
    with pytest.raises(RuntimeError, match="无法沿用上次的输出"):
        staging.carry_over(tmp_path, 2023, root, {"reward_csv": ["rewards.csv"]})
