"""Every dbt model and seed is an asset of the data-year partition; dbt tests are asset checks."""


import json
import os
from pathlib import Path
from typing import Any, Literal

from dagster import AssetExecutionContext, Config
from dagster_dbt import DbtCliResource, dbt_assets

from .. import run_log
from ..dbt_project import PARTIAL_PARSE_FILE, adopt_background_parse, dbt_project, ensure_manifest, keep_parse_cache
from .dbt_translator import MujunDbtTranslator
from .partitions import data_year_partitions
from .resources import Warehouse


class EvaluationConfig(Config):
    """Run configuration of an evaluation: the decisions RULES.md leaves open, with its defaults.
    Every run records them in marts.evaluation_status."""

    cutoff: str = ""
    """评价统计截止日 (YYYY-MM-DD); empty means 31 December of the data year."""
    benchmark_method: Literal["mean_of_ratios", "ratio_of_sums"] = "mean_of_ratios"
    """基准值：企业指标值的平均（默认）或合计之比。"""
    ranking_groups: Literal["scale", "all"] = "scale"
    """排名分组：规上、规下分别排名（默认）或全部一起排名。"""


def dbt_vars(partition_key: str, config: EvaluationConfig) -> dict[str, Any]:
    return {
        "year": int(partition_key),
        "cutoff": config.cutoff,
        "benchmark_method": config.benchmark_method,
        "ranking_groups": config.ranking_groups,
    }


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    partitions_def=data_year_partitions,
    dagster_dbt_translator=MujunDbtTranslator(),
)
def mujun_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, config: EvaluationConfig
):
    # The dbt subprocess inherits the environment: its profile reads the warehouse path from it,
    # and the run id comes from it (a dbt var would change every run and defeat partial parsing).
    os.environ["MUJUN_WAREHOUSE"] = str(warehouse.file)
    os.environ["MUJUN_RUN_ID"] = context.run_id
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    adopt_background_parse()  # started by `mujun evaluate` while the deliveries were ingested
    with warehouse.connect() as conn:
        run_log.started(conn, int(context.partition_key), context.run_id)
    # unit tests check the SQL logic on fixed inputs, not this year's data: tests/test_dbt_unit_tests.py runs them
    invocation = dbt.cli(
        ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(dbt_vars(context.partition_key, config))],
        context=context,
    )
    yield from invocation.stream()
    # keep this invocation's parse cache, so that the next run with the same vars (a re-run of
    # the year) parses only what changed instead of the whole project
    cache = Path(invocation.target_path) / PARTIAL_PARSE_FILE
    if cache.is_file():
        keep_parse_cache(cache)
