"""Every dbt model and seed is an asset of the data-year partition; dbt tests are asset checks.

dbt runs in the step's own process (dagster_project/dbt_build.py); each node's result becomes
the Dagster event of its asset or check, named by the dbt unique id dagster-dbt keeps in the
specs' metadata."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    RunConfig,
)
from dagster_dbt import dbt_assets

from .. import dbt_build, exit_status, run_log, run_plan
from ..dbt_project import dbt_project, manifest
from .dbt_translator import MujunDbtTranslator
from .evaluation_config import EvaluationConfig, cutoff_problem
from .partitions import data_year_partitions
from .resources import Locations, Warehouse

# The dbt test that stops the build when a benchmark cannot be computed (dbt/tests/).
BENCHMARK_TEST = "benchmark_usable"
# where dagster-dbt keeps the dbt unique id of each asset and check spec
UNIQUE_ID = "dagster_dbt/unique_id"


def dbt_vars(partition_key: str, config: EvaluationConfig, warehouse: Warehouse) -> dict[str, Any]:
    """The build's vars: the data year, the run's decisions and the warehouse (read by
    dbt/profiles.yml). They are read when the nodes compile, not when the project is parsed."""
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
    op_tags={"mujun/title": "dbt 计算：校验、整理、用地、指标、基准值、得分、分类、奖励与结果表"},
)
def mujun_dbt_models(context: AssetExecutionContext, warehouse: Warehouse, locations: Locations, config: EvaluationConfig):
    year = int(context.partition_key)
    assets = {context.assets_def.get_asset_spec(key).metadata[UNIQUE_ID]: key for key in context.selected_asset_keys}
    checks = {
        spec.metadata[UNIQUE_ID]: spec.key for spec in context.assets_def.check_specs if spec.key in context.selected_asset_check_keys
    }
    everything = not context.is_subset  # every model, seed and test of the project
    decisions = config.model_dump()
    # a run configured in the Dagster UI is checked as the command line checks its --cutoff
    if problem := _cutoff_problem(year, config.cutoff):
        raise exit_status.typed_failure(exit_status.INPUT, problem, check="cutoff")
    project = dbt_build.parse(warehouse.file)
    with warehouse.connect() as conn:
        if not everything:
            _refuse_unsafe_subset(conn, year, decisions)
        # the run id reaches dbt through this record (dbt/macros/run_context.sql: run_id); the
        # inputs let the next run recompute only what changed (run_plan.py)
        run_log.started(conn, year, context.run_id, run_plan.inputs(conn, year, locations.raw_dir, decisions))
        # Built while this connection holds the warehouse open: dbt-duckdb closes the database
        # whenever none of its threads holds a connection (keep_open: false, dbt/profiles.yml),
        # which between nodes meant opening it again (its catalog read) and closing it (a
        # checkpoint) for most of the 200 nodes. DuckDB gives every connection to an open file of
        # the same process the same database (https://duckdb.org/docs/2.0/clients/python/dbapi,
        # "File-Based Connection"), so dbt's connections now share it (docs/performance.md).
        # Unit tests check the SQL logic on fixed inputs, not this year's data:
        # tests/test_dbt_unit_tests.py runs them. dbt prints its line per node on standard output
        # (the run's log file under `mujun evaluate`, the step's captured output in the Dagster
        # UI); they are not Dagster log events as well: each node is already a materialization or
        # a check result of the run.
        result, invocation = dbt_build.build(
            project,
            dbt_vars(context.partition_key, config, warehouse),
            select=() if everything else _selectors(project, [*assets, *checks]),
        )
    results = result.result.results if result.result is not None else []
    context.log.info(_summary(results))
    yield from _events(results, assets, checks)
    if not result.success:
        invocation.keep_run_results(result)
        raise _benchmark_failure(results, warehouse) or _build_failure(results, result.exception, invocation.target)
    # a successful build's folder (compiled SQL, run results, dbt's log) is not read again; a
    # failed build's folder stays for whoever looks into the failure
    invocation.remove()


def _cutoff_problem(year: int, cutoff: str) -> str | None:
    try:
        day = date.fromisoformat(cutoff) if cutoff else None
    except ValueError:
        return (
            f"评价统计截止日“{cutoff}”不是 YYYY-MM-DD 格式的日期，或没有这一天（如 2 月 30 日）/ "
            f"the cutoff {cutoff!r} is not a YYYY-MM-DD date, or no such day"
        )
    return cutoff_problem(year, day)


def _summary(results) -> str:
    """dbt's closing line: how many nodes succeeded, passed, warned, failed or were skipped."""
    counts: dict[str, int] = {}
    for node_result in results:
        counts[str(node_result.status)] = counts.get(str(node_result.status), 0) + 1
    return f"dbt 构建 {len(results)} 个节点 / dbt build of {len(results)} nodes: " + ", ".join(
        f"{status} {n}" for status, n in sorted(counts.items())
    )


def _refuse_unsafe_subset(conn: duckdb.DuckDBPyConnection, year: int, decisions: dict) -> None:
    """A part of the models may be rebuilt only on the working tables of this same year's
    latest computation (run_plan.py); anything else would mix years or decisions."""
    state, why_not = run_plan.working_state(conn, year, decisions, raw_dir=None)
    if state is None:
        raise Failure(
            description=f"只能重新计算 {year} 年度的全部模型：{why_not}；请评价整个年度（mujun evaluate --year {year}）/ "
            f"a part of the models cannot be rebuilt on these tables: evaluate the whole year"
        )


def _selectors(project, unique_ids: list[str]) -> list[str]:
    """dbt selectors of exactly these nodes (their fully qualified names)."""
    return sorted({"fqn:" + ".".join(project.nodes[uid].fqn) for uid in unique_ids if uid in project.nodes})


def _events(results, assets: dict[str, AssetKey], checks: dict[str, AssetCheckKey]) -> Iterator:
    """A materialization for each model or seed dbt built, a check result for each test."""
    for node_result in results:
        unique_id, status = node_result.node.unique_id, str(node_result.status)
        metadata = {"unique_id": unique_id, "dbt_status": status, "execution_seconds": round(node_result.execution_time, 3)}
        if unique_id in assets and status == "success":
            yield MaterializeResult(asset_key=assets[unique_id], metadata=metadata)
        elif unique_id in checks and status != "skipped":
            key = checks[unique_id]
            warn_only = str(node_result.node.config.severity).lower() == "warn" or status == "warn"
            yield AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=status == "pass",
                severity=AssetCheckSeverity.WARN if warn_only else AssetCheckSeverity.ERROR,
                metadata={**metadata, **({"failures": node_result.failures} if node_result.failures else {})},
            )


def _build_failure(results, exception: BaseException | None, folder) -> Failure:
    """The nodes that failed, each with dbt's message (an unexpected failure: exit status 1), and
    the build's folder, which keeps the compiled SQL, the run results and dbt's log."""
    failed = [r for r in results if str(r.status) in ("error", "fail")]
    lines = [f"{r.node.unique_id}: {(r.message or '').strip()}" for r in failed] or [str(exception or "dbt build")]
    return Failure(
        description="dbt 计算失败 / dbt build failed: "
        + "；".join(lines)
        + f"（编译后的 SQL、运行结果与 dbt 日志 / compiled SQL, run results and dbt's log: {folder}）",
        metadata={"failed_nodes": len(failed), "folder": str(folder)},
    )


def _benchmark_failure(results, warehouse: Warehouse) -> Failure | None:
    """A typed failure when the build stopped because a benchmark cannot be computed: each
    benchmark that failed the test, in the test's own words."""
    failed = next((r for r in results if r.node.name == BENCHMARK_TEST and str(r.status) in ("fail", "error")), None)
    if failed is None or not getattr(failed.node, "compiled_code", None):
        return None
    with duckdb.connect(str(warehouse.file), read_only=True) as conn:
        cursor = conn.execute(failed.node.compiled_code)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    return exit_status.typed_failure(
        exit_status.BENCHMARK,
        "；".join(r["message"] for r in rows) or failed.message or BENCHMARK_TEST,
        indicators=", ".join(r["indicator"] for r in rows),
        check=BENCHMARK_TEST,
    )


def evaluation_run_config(**decisions: Any) -> RunConfig:
    """The run configuration of an evaluation with these decisions (None: the default)."""
    return RunConfig(
        ops={mujun_dbt_models.op.name: EvaluationConfig(**{name: value for name, value in decisions.items() if value is not None})}
    )
