"""Every dbt model and seed is an asset of the data-year partition; dbt tests are asset checks."""

import json
import shutil
from pathlib import Path
from typing import Any, Literal

import duckdb
from dagster import AssetExecutionContext, BackfillPolicy, Config, Failure, RunConfig
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets

from .. import exit_status, run_log
from ..dbt_project import dbt_project, keep_parse_cache, manifest
from .dbt_translator import MujunDbtTranslator
from .partitions import data_year_partitions
from .resources import Warehouse

# The dbt test that stops the build when a benchmark cannot be computed (dbt/tests/).
BENCHMARK_TEST = "benchmark_usable"


class EvaluationConfig(Config):
    """Run configuration of an evaluation: the decisions RULES.md leaves open, with its defaults.
    Every run records them in marts.evaluation_status."""

    cutoff: str = ""
    """评价统计截止日 (YYYY-MM-DD); empty means 31 December of the data year."""
    benchmark_method: Literal["mean_of_ratios", "ratio_of_sums"] = "mean_of_ratios"
    """基准值：企业指标值的平均（默认）或合计之比。"""
    ranking_groups: Literal["scale", "all"] = "scale"
    """排名分组：规上、规下分别排名（默认）或全部一起排名。"""


def dbt_vars(partition_key: str, config: EvaluationConfig, warehouse: Warehouse) -> dict[str, Any]:
    """The build's vars: the data year, the run's decisions and the warehouse (read by
    dbt/profiles.yml). dbt parses the whole project again when they differ from those of its
    parse cache (another year, other decisions or another warehouse), else only what changed."""
    return {
        "year": int(partition_key),
        "cutoff": config.cutoff,
        "benchmark_method": config.benchmark_method,
        "ranking_groups": config.ranking_groups,
        "warehouse": str(warehouse.file),
    }


@dbt_assets(
    manifest=manifest(),
    project=dbt_project,
    partitions_def=data_year_partitions,
    dagster_dbt_translator=MujunDbtTranslator(),
    # one data year per build: the dbt vars hold one year (dagster-dbt would default to all the
    # years of a backfill in one build)
    backfill_policy=BackfillPolicy.multi_run(max_partitions_per_run=1),
)
def mujun_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, config: EvaluationConfig):
    year = int(context.partition_key)
    # the run id reaches dbt through this record (dbt/macros/run_context.sql: run_id)
    with warehouse.connect() as conn:
        run_log.started(conn, year, context.run_id)
    # unit tests check the SQL logic on fixed inputs, not this year's data: tests/test_dbt_unit_tests.py runs them
    invocation = dbt.cli(
        ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(dbt_vars(context.partition_key, config, warehouse))],
        context=context,
        raise_on_error=False,
    )
    yield from invocation.stream()
    keep_parse_cache(Path(invocation.target_path))
    if not invocation.is_successful():
        raise _benchmark_failure(invocation, warehouse) or invocation.get_error()
    # dagster-dbt gives every build its own target folder (manifest, compiled SQL, dbt's log:
    # about 13 MB); nothing reads a successful build's folder again, so it does not pile up.
    # A failed build's folder stays for whoever looks into the failure.
    shutil.rmtree(invocation.target_path, ignore_errors=True)


def _benchmark_failure(invocation: DbtCliInvocation, warehouse: Warehouse) -> Failure | None:
    """A typed failure when the build stopped because a benchmark cannot be computed: each
    benchmark that failed the test, in the test's own words."""
    results = invocation.get_artifact("run_results.json")["results"]
    failed = next((r for r in results if r["unique_id"].split(".")[-1] == BENCHMARK_TEST and r["status"] in ("fail", "error")), None)
    if failed is None or not failed.get("compiled_code"):
        return None
    with duckdb.connect(str(warehouse.file), read_only=True) as conn:
        cursor = conn.execute(failed["compiled_code"])
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    return exit_status.typed_failure(
        exit_status.BENCHMARK,
        "；".join(r["message"] for r in rows) or failed.get("message") or BENCHMARK_TEST,
        indicators=", ".join(r["indicator"] for r in rows),
        check=BENCHMARK_TEST,
    )


def evaluation_run_config(**decisions: Any) -> RunConfig:
    """The run configuration of an evaluation with these decisions (None: the default)."""
    return RunConfig(
        ops={mujun_dbt_models.op.name: EvaluationConfig(**{name: value for name, value in decisions.items() if value is not None})}
    )
