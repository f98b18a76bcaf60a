"""The rule tables are dated (from_year, to_year): a rule changed for a later year gets a new row and
its old row is closed. A new row added without closing the old one leaves two rows of one rule in
force: the build stops there, naming the table, the rule and the year (macros/run_context.sql),
instead of failing later in a model or a test that says neither."""

from __future__ import annotations

import duckdb
import pytest

from conftest import copy_run
from dagster_project import dbt_build


def test_two_rows_of_one_rule_in_force_in_a_year_stop_the_build_naming_the_table_the_rule_and_the_year(tmp_path, worked):
    run = copy_run(worked, tmp_path)
    with duckdb.connect(str(run.warehouse)) as conn:  # the rule table as loaded from a seed with the mistake
        conn.execute(
            """insert into rules.rule_parameters by name
               select * replace (6 as value, 2023 as from_year) from rules.rule_parameters where parameter = 'halted_months'"""
        )
    project = dbt_build.parse(run.warehouse)
    decisions = {"cutoff": "", "benchmark_method": "mean_of_ratios", "ranking_groups": "scale"}
    dbt_vars = {"year": 2023, **decisions, "warehouse": str(run.warehouse)}
    result, invocation = dbt_build.build(project, dbt_vars, select=["fqn:mujun.reference.rules.in_force_rule_parameters"])
    try:
        assert not result.success
        (failed,) = [r for r in result.result.results if str(r.status) == "error"]
        assert failed.node.name == "in_force_rule_parameters"
        assert "规则表 rule_parameters.csv 中 parameter、scale 为“halted_months、all”的规则在 2023 年度有 2 行同时有效" in failed.message
        assert "rule table rule_parameters.csv: 2 rows in force in 2023 for parameter, scale = halted_months, all" in failed.message
    finally:
        invocation.remove()
    # the rows as they were: one row of each rule in force, and the build goes through
    with duckdb.connect(str(run.warehouse)) as conn:
        conn.execute("delete from rules.rule_parameters where parameter = 'halted_months' and value = 6")
    result, invocation = dbt_build.build(project, dbt_vars, select=["fqn:mujun.reference.rules.in_force_rule_parameters"])
    invocation.remove()
    assert result.success


def _build_2023(run, model: str):
    """dbt's result of building one reference.in_force_<table> model of 2023 on the run's warehouse."""
    dbt_vars = {
        "year": 2023,
        "cutoff": "",
        "benchmark_method": "mean_of_ratios",
        "ranking_groups": "scale",
        "warehouse": str(run.warehouse),
    }
    result, invocation = dbt_build.build(dbt_build.parse(run.warehouse), dbt_vars, select=[f"fqn:mujun.reference.rules.{model}"])
    invocation.remove()
    return result


@pytest.mark.parametrize(
    ("model", "mistake", "message"),
    [
        # a new row's from_year typed a year too late: 2023 has no points for 亩均税收 above scale
        (
            "in_force_indicator_points",
            """update rules.indicator_points set to_year = 2022 where scale = 'above' and indicator = 'tax_per_mu';
               insert into rules.indicator_points by name
               select * replace (45 as basic_points, 2024 as from_year) from rules.indicator_points
               where scale = 'above' and indicator = 'tax_per_mu'""",
            "规则表 indicator_points.csv 中 scale、indicator 为“above、tax_per_mu”的规则在 2023 年度没有有效的行（其他年度有）",
        ),
        # class A's row closed and no row after it: every class has a cut-off in every year
        (
            "in_force_class_cutoffs",
            "update rules.class_cutoffs set to_year = 2022 where class = 'A'",
            "规则表 class_cutoffs.csv 中 class 为“A”的规则在 2023 年度没有有效的行（其他年度有）",
        ),
    ],
)
def test_a_year_without_a_row_of_a_rule_stops_the_build_naming_the_table_the_rule_and_the_year(tmp_path, worked, model, mistake, message):
    run = copy_run(worked, tmp_path)
    with duckdb.connect(str(run.warehouse)) as conn:  # the rule table as loaded from a seed with the mistake
        conn.execute(mistake)
    result = _build_2023(run, model)
    assert not result.success
    (failed,) = [r for r in result.result.results if str(r.status) == "error"]
    assert message in failed.message and "no row in force in 2023" in failed.message


def test_a_bonus_item_retired_in_an_earlier_year_is_no_mistake(tmp_path, worked):
    """A rule of a table whose rules may end (a bonus item the policy dropped) has no row in later
    years: nothing to stop."""
    run = copy_run(worked, tmp_path)
    with duckdb.connect(str(run.warehouse)) as conn:
        item = conn.execute("select min(item) from rules.bonus_points").fetchone()[0]
        conn.execute("update rules.bonus_points set to_year = 2022 where item = ?", [item])
    assert _build_2023(run, "in_force_bonus_points").success
    with duckdb.connect(str(run.warehouse), read_only=True) as conn:
        assert conn.execute(
            "select count(*) from reference.in_force_bonus_points where data_year = 2023 and item = ?", [item]
        ).fetchone() == (0,)
