-- The previous year's class (上一年度类别): mujun's own stored final class for year − 1 when
-- it has one for the enterprise, else what 工信局 reported in industry_it.csv.
select uscc, prev_class, prev_class_source
from (
    select uscc, final_class as prev_class, 'mujun' as prev_class_source, true as stored_result
    from {{ ref('int_previous_year_results') }}
    where final_class is not null
    union all
    select uscc, prev_class, 'industry_it' as prev_class_source, false as stored_result
    from {{ ref('stg_industry_it__enterprise_status') }}
    where prev_class is not null
)
qualify row_number() over (partition by uscc order by stored_result desc) = 1
