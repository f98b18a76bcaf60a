-- What this project granted each enterprise per item in earlier data years (the 工业上楼 cap is
-- cumulative: "单个企业累计不超过"). Read from the project's own marts.enterprise_rewards, kept for
-- every data year in the same warehouse, through the `results` source (a ref() would be a cycle:
-- the mart is built from this model). On a fresh warehouse the table does not exist yet.
{%- set history = source('results', 'enterprise_rewards') %}
{%- set stored = load_relation(history) if execute else none %}

{% if stored is not none -%}
select uscc, item, sum(amount) as earlier_amount, string_agg(distinct cast(data_year as varchar), '、') as earlier_years
from {{ history }}
where data_year < {{ data_year() }} and status = 'granted'
group by uscc, item
{%- else -%}
select null::varchar as uscc, null::varchar as item, null::{{ amount_type() }} as earlier_amount, null::varchar as earlier_years
where false
{%- endif %}
