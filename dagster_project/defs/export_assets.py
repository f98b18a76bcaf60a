"""Exports of a data year, written after the marts are built."""


from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from ..dq_reports import write_department_reports
from ..exports import write_csv_exports
from .partitions import data_year_partitions
from .resources import Locations, Warehouse

MART_KEYS = [AssetKey(["marts", name]) for name in ("classification", "benchmarks", "dq_issues")]


@asset(
    key=["exports", "csv"],
    group_name="exports",
    deps=MART_KEYS,
    partitions_def=data_year_partitions,
    kinds={"csv"},
    description="classification.csv、benchmarks.csv、dq_issues.csv（供系统对接）写入 <export-dir>/<year>/。",
)
def csv_exports(context: AssetExecutionContext, warehouse: Warehouse, locations: Locations) -> MaterializeResult:
    year = int(context.partition_key)
    with warehouse.connect() as conn:
        written = write_csv_exports(conn, year, Path(locations.export_dir))
    out = Path(locations.export_dir).resolve() / str(year)
    return MaterializeResult(metadata={"directory": str(out), **{k: v for k, v in written.items()}})


@asset(
    key=["exports", "dq_reports"],
    group_name="exports",
    deps=[AssetKey(["marts", "dq_issues"]), AssetKey(["marts", "delivery_reconciliation"])],
    partitions_def=data_year_partitions,
    kinds={"html", "excel"},
    description="各部门数据质量报告（HTML 离线可用、Excel），写入 <export-dir>/<year>/data_quality/。",
)
def dq_reports(context: AssetExecutionContext, warehouse: Warehouse, locations: Locations) -> MaterializeResult:
    year = int(context.partition_key)
    with warehouse.connect() as conn:
        written = write_department_reports(conn, year, Path(locations.export_dir))
    return MaterializeResult(metadata={"files": len(written), "directory": str(written[0].parent.resolve())})
