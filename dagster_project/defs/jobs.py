"""The evaluation of one data year: every asset, ingestion to exports, for one partition."""

from dagster import AssetSelection, define_asset_job

from .partitions import data_year_partitions

evaluate_data_year = define_asset_job(
    name="evaluate_data_year",
    selection=AssetSelection.all(),
    partitions_def=data_year_partitions,
    description="评价一个数据年度：入库、校验、dbt 计算、导出。Evaluate one data year end to end.",
)
