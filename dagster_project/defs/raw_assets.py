"""The departmental extracts: an asset `raw/<extract>` per extract of the contract for a data
year, and a Great Expectations check of each delivery as a whole, run once dbt has built the
year's rule parameters in force and validated every delivered cell (expectations.py).

All extracts are ingested by one step and all deliveries judged by another: each delivery is a
few milliseconds of DuckDB, and a Dagster step of its own per extract cost more than the work
(its events, its hooks). Either step does only the extracts its run selects."""

from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
    multi_asset_check,
)
from dagster_dbt import get_asset_key_for_model

from ..contract import Extract, extracts
from ..expectations import failures_in_words, validate_delivery
from ..ingest import current_delivery, ingest_extract, missing_required_files
from .dbt_assets import mujun_dbt_models
from .partitions import data_year_partitions
from .resources import Locations, Warehouse

CHECK_NAME = "delivery_expectations"
# The ingestion's bookkeeping (raw.loads: every delivery; raw.load_issues: its file-level findings),
# written with every extract's delivery and read by dbt as sources of their own: assets of this
# step, so that what reads them is downstream of every delivery.
BOOKKEEPING = {
    AssetKey(["raw", "loads"]): "每次入库一条：部门文件、年度、sha256、行数、是否当前有效。",
    AssetKey(["raw", "load_issues"]): "入库时发现的文件级问题（未报送、只有表头、列缺失、未知列、约定之外的文件）。",
}
# what the check reads besides the delivery: the rule parameters in force and the cells dbt's
# parsers could not read
CHECK_READS = ("in_force_rule_parameters", "validation_cell_errors")


def _key(extract: Extract) -> AssetKey:
    return AssetKey(["raw", extract.name])


def _spec(extract: Extract) -> AssetSpec:
    return AssetSpec(
        key=_key(extract),
        group_name="raw",
        kinds={"duckdb", "csv"},
        skippable=True,
        description=f"{extract.department_zh}：{extract.title_zh}（{extract.file_name}"
        f"{'，必报' if extract.required else '，选报'}），逐行原样入库。",
    )


@multi_asset(
    name="raw_deliveries",
    specs=[_spec(e) for e in extracts().values()]
    + [AssetSpec(key=key, group_name="raw", kinds={"duckdb"}, skippable=True, description=text) for key, text in BOOKKEEPING.items()],
    partitions_def=data_year_partitions,
    can_subset=True,
    description="各部门报送文件逐个入库（每份文件一个事务）。",
)
def raw_deliveries(context: AssetExecutionContext, warehouse: Warehouse, locations: Locations) -> Iterator[MaterializeResult]:
    year = int(context.partition_key)
    chosen = [extract for extract in extracts().values() if _key(extract) in context.selected_asset_keys]
    missing_required_files(chosen, year, locations.raw_dir)
    with warehouse.connect() as conn:
        for extract in chosen:
            summary = ingest_extract(conn, extract, year, locations.raw_dir)
            if summary.unchanged:
                context.log.info(f"{extract.file_name}（{year} 年度）与已入库的报送相同，未重复入库 / unchanged delivery, nothing loaded")
            yield MaterializeResult(
                asset_key=_key(extract),
                # labelled for the Dagster UI's readers, each with the word of the code after it
                metadata={
                    "是否报送 / delivered": summary.delivered,
                    "与已入库的报送相同 / unchanged": summary.unchanged,
                    "读入行数 / rows_read": summary.rows_read,
                    "入库批次 / load_id": summary.load_id or "",
                    "文件指纹 / sha256": summary.sha256 or "",
                    "文件编码 / encoding": summary.encoding or "",
                    "文件级问题（检查项、严重程度…）/ findings": MetadataValue.json([list(f) for f in summary.findings]),
                },
            )
    for key in BOOKKEEPING:
        if key in context.selected_asset_keys:
            yield MaterializeResult(asset_key=key)


@multi_asset_check(
    name="delivery_expectations",
    op_tags={"mujun/title": "整份文件检查（Great Expectations）"},
    specs=[
        AssetCheckSpec(
            CHECK_NAME,
            asset=_key(e),
            additional_deps=[get_asset_key_for_model([mujun_dbt_models], model) for model in CHECK_READS],
            description="Great Expectations：整份文件是否填写完整、格式与单位是否合理（文件级）。",
        )
        for e in extracts().values()
    ],
    can_subset=True,
)
def delivery_expectations(context: AssetCheckExecutionContext, warehouse: Warehouse) -> Iterator[AssetCheckResult]:
    year = int(context.partition_key)
    with warehouse.connect() as conn:
        for extract in extracts().values():
            if AssetCheckKey(_key(extract), CHECK_NAME) not in context.selected_asset_check_keys:
                continue
            load_id = current_delivery(conn, extract.name, year)
            outcome = validate_delivery(conn, extract, year, load_id) if load_id else None
            if outcome is None:
                yield AssetCheckResult(
                    asset_key=_key(extract), check_name=CHECK_NAME, passed=True, metadata={"是否报送 / delivered": False}
                )
                continue
            yield AssetCheckResult(
                asset_key=_key(extract),
                check_name=CHECK_NAME,
                passed=outcome.success,
                severity=AssetCheckSeverity.WARN,
                # what failed as the command line says it: department, file, column, measure and bound
                metadata={
                    "检查项数 / expectations": len(outcome.results),
                    "未通过 / failed": MetadataValue.json(failures_in_words(conn, year, extract.name)),
                },
            )
