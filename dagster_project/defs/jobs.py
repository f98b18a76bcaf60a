"""The evaluation of one data year: every asset, ingestion to exports, for one partition."""

import logging

from dagster import AssetSelection, HookContext, define_asset_job, failure_hook, success_hook

# One line per finished step, for whoever listens (`mujun evaluate` prints them on the console;
# under `dagster dev` the event log already shows the same).
progress = logging.getLogger("mujun.progress")


@success_hook(name="step_succeeded")
def step_succeeded(context: HookContext) -> None:
    progress.info("✓ %s", context.step_key)


@failure_hook(name="step_failed")
def step_failed(context: HookContext) -> None:
    progress.info("✗ %s", context.step_key)


# partitioned by data year like every asset it selects
evaluate_data_year = define_asset_job(
    name="evaluate_data_year",
    selection=AssetSelection.all(),
    description="评价一个数据年度：入库、校验、dbt 计算、导出。Evaluate one data year end to end.",
    hooks={step_succeeded, step_failed},
)
