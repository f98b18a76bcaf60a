{# The data year and cutoff of this run, as SQL literals. #}
{% macro data_year() -%}
    {{ var('year') | int }}
{%- endmacro %}

{% macro cutoff_date() -%}
    {%- set cutoff = var('cutoff', '') -%}
    {%- if cutoff -%} date '{{ cutoff }}' {%- else -%} date '{{ var("year") | int }}-12-31' {%- endif -%}
{%- endmacro %}

{# Whether a rule row applies to the data year `year` (rule tables carry from_year / to_year).
   The only place the validity of a rule row is written: the reference layer (models/reference)
   applies it once per data year, and Python reads the layer or reference.rows_in_force. #}
{% macro in_force(year, alias=none) -%}
    {%- set p = (alias ~ '.') if alias else '' -%}
    ({{ p }}from_year <= {{ year }} and ({{ p }}to_year is null or {{ p }}to_year >= {{ year }}))
{%- endmacro %}

{# The rows of a dated rule table in force for this data year, as the reference layer holds them
   (reference.in_force_<seed>, one model per rule table). #}
{% macro rules_in_force(seed_name) -%}
    (select * exclude (data_year) from {{ ref('in_force_' ~ seed_name) }} where data_year = {{ data_year() }})
{%- endmacro %}

{# The same rows read from the seed itself, for the cell parsers of the validation models: they
   call it inside conditional blocks, where dbt cannot see a ref to the reference layer (those
   models declare the seed in a depends_on hint). #}
{% macro seed_rows_in_force(seed_name) -%}
    (select * from {{ ref(seed_name) }} where {{ in_force(data_year()) }})
{%- endmacro %}

{# Body of a reference.in_force_<seed> model: the seed's rows in force for this data year. Two
   rows of one rule (the same `key`) in force in the same year are an error of the rule table
   (a new dated row added without closing the old one's to_year): the build stops with a message
   that names the table, the rule and the year, before anything reads the rows. So is a year in
   which a rule has no row while it has rows before and after it (a new row's from_year typed a
   year too late); and, in a table whose every rule applies every year (`every_year`: the class
   cut-offs, the indicators' points), a rule whose rows end before the year. #}
{% macro rule_rows_in_force(seed_name, key, every_year=false) -%}
{%- set year = data_year() -%}
with missing as (
    select concat_ws('、', {{ key | join(', ') }}) as rule_key
    from {{ ref(seed_name) }}
    group by all
    having min(from_year) <= {{ year }}
        and not bool_or({{ in_force(year) }})
        {%- if not every_year %}
        and max(from_year) > {{ year }}
        {%- endif %}
),

checked as (
    select case
        when count(*) = 0 then true
        else error(
            '规则表 {{ seed_name }}.csv 中 {{ key | join('、') }} 为“' || string_agg(rule_key, '”“' order by rule_key)
            || '”的规则在 {{ year }} 年度没有有效的行（其他年度有）：请检查 from_year 与 to_year，使每个年度都有一行 / '
            || 'rule table {{ seed_name }}.csv: no row in force in {{ year }} for {{ key | join(', ') }} = '
            || string_agg(rule_key, '; ' order by rule_key) || ' (check from_year and to_year)'
        )
    end as rows_cover_the_year
    from missing
)

select {{ year }} as data_year, rule.*
from {{ ref(seed_name) }} rule
cross join checked
where {{ in_force(year, 'rule') }} and checked.rows_cover_the_year
qualify case
    when count(*) over (partition by {{ key | join(', ') }}) = 1 then true
    else error(
        '规则表 {{ seed_name }}.csv 中 {{ key | join('、') }} 为“' || concat_ws('、', {{ key | join(', ') }}) || '”的规则在 {{ year }} 年度有 '
        || count(*) over (partition by {{ key | join(', ') }}) || ' 行同时有效：新增的行须从 from_year 起，旧行的 to_year 须改为其前一年 / '
        || 'rule table {{ seed_name }}.csv: ' || count(*) over (partition by {{ key | join(', ') }})
        || ' rows in force in {{ year }} for {{ key | join(', ') }} = ' || concat_ws(', ', {{ key | join(', ') }})
        || ' (close the old row''s to_year)'
    )
end
{%- endmacro %}

{# One numeric rule parameter, optionally per scale group ('all' applies to both). #}
{% macro rule_param(name, scale_expr=none) -%}
    {%- if scale_expr is none -%}
    (select value from {{ rules_in_force('rule_parameters') }} p where p.parameter = '{{ name }}' and p.scale = 'all')
    {%- else -%}
    (select value from {{ rules_in_force('rule_parameters') }} p
      where p.parameter = '{{ name }}' and p.scale in ({{ scale_expr }}, 'all') order by p.scale = 'all' limit 1)
    {%- endif -%}
{%- endmacro %}

{# Square metres in a hectare (SI definition); the 亩 per hectare is a rule parameter. #}
{% macro m2_per_hectare() -%}10000{%- endmacro %}

{# A run decision, checked against its allowed values. #}
{% macro decision(name, allowed) -%}
    {%- set value = var(name) -%}
    {%- if value not in allowed -%}
        {{ exceptions.raise_compiler_error("Unknown " ~ name ~ " '" ~ value ~ "'; allowed: " ~ allowed | join(", ")) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{# The id of this run: the Dagster run whose dbt step started this build, as that step records it
   in the warehouse's run log just before (dagster_project/run_log.py); dbt's invocation id for a
   build without Dagster. Read from the warehouse rather than passed as a dbt var: a var that
   differs in every run would make dbt parse the whole project again each time. #}
{% macro run_id() -%}
    coalesce((select run_id from runs.computations where data_year = {{ data_year() }}
              order by started_at desc limit 1), '{{ invocation_id }}')
{%- endmacro %}
