"""Data-year partitions: the key is the data year (统计年度), e.g. "2023"."""

from dagster import TimeWindowPartitionsDefinition

FIRST_DATA_YEAR = "2020"

# A yearly window is complete on 1 January of the next year, so partition "2023" exists from
# 2024-01-01: exactly when the departments start delivering that year's data.
data_year_partitions = TimeWindowPartitionsDefinition(cron_schedule="0 0 1 1 *", fmt="%Y", start=FIRST_DATA_YEAR, timezone="Asia/Shanghai")
