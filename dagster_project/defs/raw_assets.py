"""One ingestion asset per departmental extract: `raw/<extract>` for a data year, and a Great
Expectations check of each delivery as a whole, run once the year's reference layer (the rule
parameters in force, the accepted labels) has been built by dbt."""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)
from dagster_dbt import get_asset_key_for_model

from ..contract import Extract, extracts
from ..expectations import validate_delivery
from ..ingest import current_delivery, ingest_extract
from .dbt_assets import mujun_dbt_models
from .partitions import data_year_partitions
from .resources import Locations, Warehouse

CHECK_NAME = "delivery_expectations"
# what the check reads: the rule parameters in force and the accepted labels of the year
REFERENCE_MODELS = ("in_force_rule_parameters", "accepted_labels")


def _raw_asset(extract: Extract) -> AssetsDefinition:
    @asset(
        name=extract.name,
        key_prefix="raw",
        group_name="raw",
        partitions_def=data_year_partitions,
        kinds={"duckdb", "csv"},
        description=f"{extract.department_zh}：{extract.title_zh}（{extract.file_name}"
        f"{'，必报' if extract.required else '，选报'}），逐行原样入库。",
    )
    def _ingest(context: AssetExecutionContext, warehouse: Warehouse, locations: Locations) -> MaterializeResult:
        year = int(context.partition_key)
        with warehouse.connect() as conn:
            summary = ingest_extract(conn, extract, year, locations.raw_dir)
        if summary.unchanged:
            context.log.info(f"{extract.file_name} {year}: unchanged delivery, nothing loaded")
        return MaterializeResult(
            metadata={
                "delivered": summary.delivered,
                "unchanged": summary.unchanged,
                "rows_read": summary.rows_read,
                "load_id": summary.load_id or "",
                "sha256": summary.sha256 or "",
                "encoding": summary.encoding or "",
                "findings": MetadataValue.json([list(f) for f in summary.findings]),
            },
        )

    return _ingest


def _delivery_check(extract: Extract) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(["raw", extract.name]),
        name=CHECK_NAME,
        additional_deps=[get_asset_key_for_model([mujun_dbt_models], model) for model in REFERENCE_MODELS],
        description="Great Expectations：整份文件是否填写完整、格式与单位是否合理（文件级）。",
    )
    def _check(context: AssetCheckExecutionContext, warehouse: Warehouse) -> AssetCheckResult:
        year = int(context.partition_key)
        with warehouse.connect() as conn:
            load_id = current_delivery(conn, extract.name, year)
            outcome = validate_delivery(conn, extract, year, load_id) if load_id else None
        if outcome is None:
            return AssetCheckResult(passed=True, metadata={"delivered": False})
        failed = [f"{r['expectation']}({r['column_name'] or ''}): {r['observed_value']}" for r in outcome.results if not r["success"]]
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.WARN,
            metadata={"expectations": len(outcome.results), "failed": MetadataValue.json(failed)},
        )

    return _check


raw_assets = [_raw_asset(e) for e in extracts().values()]
delivery_checks = [_delivery_check(e) for e in extracts().values()]
