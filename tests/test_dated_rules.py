"""The rule tables are dated (from_year, to_year): a rule changed for a later year gets a new row and
its old row is closed. A new row added without closing the old one leaves two rows of one rule in
force: the build stops there, naming the table, the rule and the year (macros/run_context.sql),
instead of failing later in a model or a test that says neither."""

from __future__ import annotations

import duckdb

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
