{{ config(meta={"description": "每个基准值都能算出且是大于零的有限数，否则所有得分都无意义，评价在此停止", "dagster": {"ref": {"name": "int_benchmarks"}}}) }}
-- Every benchmark (基准值) is a positive finite number: otherwise every score would be
-- meaningless, so the build stops here (RULES §10: the input cannot be used, exit status 2).
-- NaN > 0 is true in DuckDB, hence isfinite() first. Each failing row says why, bilingually:
-- the Dagster asset shows these messages (dagster_project/defs/dbt_assets.py).
select
    indicator,
    population,
    value,
    '基准值缺失、不是有限数或不大于0：' || indicator
    || '（样本企业数 ' || population
    || '，计算结果 ' || coalesce(cast(value as varchar), '无') || '）'
    || ' / Benchmark missing or not positive (or not a finite number): ' || indicator
    || ' (population ' || population
    || ', computed ' || coalesce(cast(value as varchar), 'none') || ')' as message
from {{ ref('int_benchmarks') }}
where not coalesce(isfinite(value) and value > 0, false)
order by indicator
