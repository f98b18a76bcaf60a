"""One ingestion asset per departmental extract: `raw/<extract>` for a data year."""


from dagster import AssetExecutionContext, AssetsDefinition, MaterializeResult, MetadataValue, asset

from ..contract import Extract, extracts
from ..ingest import ingest_extract
from .partitions import data_year_partitions
from .resources import Locations, Warehouse


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
            }
        )

    return _ingest


raw_assets = [_raw_asset(e) for e in extracts().values()]
