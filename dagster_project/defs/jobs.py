"""The evaluation of one data year: every asset, ingestion to exports, for one partition."""

import logging
import re
from pathlib import Path

from dagster import AssetSelection, HookContext, PartitionedConfig, define_asset_job, failure_hook, success_hook

from ..outputs import staging
from .partitions import data_year_partitions

# One line per finished step, for whoever listens (`mujun evaluate` prints them on the console;
# under `dagster dev` the event log already shows the same).
progress = logging.getLogger("mujun.progress")


# the op tag naming a step for people, where its description does not (dbt, the checks)
TITLE_TAG = "mujun/title"
_CLAUSE_END = re.compile(r"[：（，。]")


def step_title(context: HookContext) -> str:
    """What a step does, in the words of its definition: its TITLE_TAG, else the first clause of
    its description (评价结果工作簿：… → 评价结果工作簿), else its key."""
    definition = context.op.definition
    title = definition.tags.get(TITLE_TAG) or _CLAUSE_END.split(definition.description or "", maxsplit=1)[0].strip()
    return title or context.step_key


@success_hook(name="step_succeeded")
def step_succeeded(context: HookContext) -> None:
    progress.info("✓ %s", step_title(context))
    context.log.info(f"✓ {step_title(context)}")  # the run's log says it too (an export-only run's has nothing else)


@failure_hook(name="step_failed", required_resource_keys={"locations"})
def step_failed(context: HookContext) -> None:
    progress.info("✗ %s", step_title(context))
    context.log.info(f"✗ {step_title(context)}")
    # the run publishes nothing, though the steps that do not depend on this one still run
    # (the last, published/outputs, refuses: defs/export_assets.py)
    year = context.instance.get_run_by_id(context.run_id).tags.get("dagster/partition")
    if year:
        staging.record_failure(Path(context.resources.locations.export_dir), int(year), context.run_id, step_title(context))


def earlier_year_first(partition_key: str) -> dict[str, str]:
    """The tags of a year's run: a year takes its previous classes from the results of the year
    before it, so of the runs waiting in Dagster's queue (one runs at a time: instance.py) the
    earliest year's goes first, whatever order a backfill or the sensor submitted them in.
    Dagster launches the queued run of the highest dagster/priority first."""
    return {"dagster/priority": str(-int(partition_key))}


# partitioned by data year like every asset it selects; the run configuration of a partition is
# the decisions' defaults (EvaluationConfig), its tags say which year goes first
evaluate_data_year = define_asset_job(
    name="evaluate_data_year",
    selection=AssetSelection.all(),
    description="评价一个数据年度：入库、校验、dbt 计算、导出。Evaluate one data year end to end.",
    hooks={step_succeeded, step_failed},
    partitions_def=data_year_partitions,
    config=PartitionedConfig(
        partitions_def=data_year_partitions,
        run_config_for_partition_key_fn=lambda partition_key: {},
        tags_for_partition_key_fn=earlier_year_first,
    ),
)
