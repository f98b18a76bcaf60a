"""One ingestion asset per departmental extract: `raw/<extract>` for a data year, with a Great
Expectations check of the delivery as a whole."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from ..contract import Extract, extracts
from ..expectations import validate_delivery
from ..ingest import ingest_extract
from .partitions import data_year_partitions
from .resources import Locations, Warehouse

CHECK_NAME = "delivery_expectations"


def _raw_asset(extract: Extract) -> AssetsDefinition:
    @asset(
        name=extract.name,
        key_prefix="raw",
        group_name="raw",
        partitions_def=data_year_partitions,
        kinds={"duckdb", "csv"},
        description=f"{extract.department_zh}：{extract.title_zh}（{extract.file_name}"
        f"{'，必报' if extract.required else '，选报'}），逐行原样入库。",
        check_specs=[
            AssetCheckSpec(
                CHECK_NAME,
                asset=["raw", extract.name],
                description="Great Expectations：整份文件是否填写完整、格式与单位是否合理（文件级）。",
            )
        ],
    )
    def _ingest(context: AssetExecutionContext, warehouse: Warehouse, locations: Locations) -> MaterializeResult:
        year = int(context.partition_key)
        with warehouse.connect() as conn:
            summary = ingest_extract(conn, extract, year, locations.raw_dir)
            outcome = validate_delivery(conn, extract, year, summary.load_id) if summary.delivered else None
        if summary.unchanged:
            context.log.info(f"{extract.file_name} {year}: unchanged delivery, nothing loaded")
        if outcome is None:
            check = AssetCheckResult(check_name=CHECK_NAME, passed=True, metadata={"delivered": False})
        else:
            failed = [f"{r['expectation']}({r['column_name'] or ''}): {r['observed_value']}" for r in outcome.results if not r["success"]]
            check = AssetCheckResult(
                check_name=CHECK_NAME,
                passed=outcome.success,
                severity=AssetCheckSeverity.WARN,
                metadata={"expectations": len(outcome.results), "failed": MetadataValue.json(failed)},
            )
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
            check_results=[check],
        )

    return _ingest


raw_assets = [_raw_asset(e) for e in extracts().values()]
