-- The previous year's class (上一年度类别): mujun's own stored final class for year − 1 when
-- it has one for the enterprise, else what 工信局 reported in industry_it.csv.
{%- set history = none -%}
{%- if execute -%}
    {%- set history = adapter.get_relation(database=target.database, schema='marts', identifier='classification') -%}
{%- endif %}

select uscc, prev_class, prev_class_source
from (
    {% if history is not none -%}
    select uscc, final_class as prev_class, 'mujun' as prev_class_source, true as stored_result
    from {{ history }}
    where data_year = {{ data_year() }} - 1 and final_class is not null
    union all
    {% endif -%}
    select uscc, prev_class, 'industry_it' as prev_class_source, false as stored_result
    from {{ ref('stg_industry_it__enterprise_status') }}
    where prev_class is not null
)
qualify row_number() over (partition by uscc order by stored_result desc) = 1
