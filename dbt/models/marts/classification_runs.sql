-- 历次运行结果: every run appends its classification of the data year, so that a re-run after a
-- correction (a re-delivered file, an added override) can be compared with the run before it.
{{ config(replace_data_year=false) }}

select
    {{ run_id() }} as run_id,
    now() as run_at,
    data_year, uscc, name, township, scale, status, total_score, rank, percentile_class,
    auto_class, final_class, override_class, override_reason, adjustments
from {{ ref('classification') }}
where data_year = {{ data_year() }}
