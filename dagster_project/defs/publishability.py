"""Whether a data year's results may be published, as an asset check of the evaluation status:
ERROR when blocked enterprises or error-level data issues remain. The Dagster UI, the run and
`mujun evaluate`'s exit status (3, not publishable) all read this one verdict."""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, asset_check
from dagster_dbt import get_asset_key_for_model

from ..exit_status import PUBLISHABLE_CHECK
from ..outputs import reference
from .dbt_assets import mujun_dbt_models
from .resources import Warehouse


@asset_check(
    asset=get_asset_key_for_model([mujun_dbt_models], "evaluation_status"),
    name=PUBLISHABLE_CHECK,
    op_tags={"mujun/title": "可否发布"},
    description="可否发布：存在暂不参评企业或错误级数据问题时不可发布（须更正后重新评价，或经审定后强制发布）。",
)
def publishable(context: AssetCheckExecutionContext, warehouse: Warehouse) -> AssetCheckResult:
    year = int(context.partition_key)
    with warehouse.connect() as conn:
        cursor = conn.execute(
            """select evaluated, blocked, out_of_scope, error_issues, warning_issues, publishable
               from marts.evaluation_status where data_year = ?""",
            [year],
        )
        counts = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
        # the counts under the names staff read elsewhere: labels of the statuses and severities
        statuses = reference.labels(conn, year, "status", short=True)
        severities = reference.labels(conn, year, "severity")
        why_not = reference.not_publishable(conn, year)
    names = {status: f"{label}（家）" for status, label in statuses.items()} | {
        f"{severity}_issues": f"{label}级数据问题（条）" for severity, label in severities.items()
    }
    passed = bool(counts.pop("publishable"))
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        description=None if passed else why_not,
        metadata={names.get(name, name): int(value) for name, value in counts.items()},
    )
