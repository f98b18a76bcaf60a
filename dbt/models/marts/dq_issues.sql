-- 数据质量问题清单: one row per problem, worded for the department that has to fix it.
-- A message that names a code's label says it by a placeholder, {domain.code} ({status.blocked}
-- → 暂不参评): the short label of this year's labels; one that states a rule number names the
-- parameter ({land_change_max_ratio:percent} → 50%, macros/parameter_placeholders.sql). Both are
-- filled in once per check, in both languages and in the action asked (docs/adding-a-label.md).
with placeholders as (
    select list({ 'placeholder': placeholder, 'text': text }) as pairs
    from (
        select '{' || domain || '.' || code || '}' as placeholder, short_label_zh as text
        from {{ ref('labels') }}
        where data_year = {{ data_year() }}
        union all
        select placeholder, text from ({{ parameter_placeholders() }}) as parameters
    ) as pairs
),

checks as (
    select
        k.* replace (
            {% for column in ['message_zh', 'message_en', 'action_zh'] -%}
            {%- set filled -%}
            coalesce(
                -- sqlfluff's DuckDB grammar knows lambdas of one argument only
                list_reduce(p.pairs, lambda message, pair: replace(message, pair.placeholder, pair.text), k.{{ column }}),  -- noqa: PRS, LT01
                k.{{ column }}
            )
            {%- endset %}
            {{ placeholders_filled(filled, 'dq_checks.csv 的检查', 'check', 'k.check_name') }} as {{ column }}{{ ',' if not loop.last }}
            {% endfor -%}
        )
    from {{ ref('dq_checks') }} k, placeholders p
),

findings as (
    select
        f.*,
        e.department,
        e.department_zh,
        k.severity,
        k.action_zh,
        k.message_zh,
        k.message_en,
        contract.header_zh
    from {{ ref('int_dq_findings') }} f
    join {{ ref('extracts') }} e on e.extract = f.extract
    join checks k on k.check_name = f.check_name
    left join {{ ref('extract_columns') }} contract
      on contract.extract = f.extract and contract.column_name = f.column_name
)

select
    {{ data_year() }} as data_year,
    findings.department,
    findings.department_zh,
    -- a finding about an enterprise names the file of its extract's delivery (csv or xlsx)
    coalesce(findings.file, delivery.source_file, findings.extract || '.csv') as file,
    findings.line,
    findings.uscc,
    population.name as enterprise_name,
    findings.check_name as "check",
    findings.severity,
    findings.column_name,
    findings.header_zh,
    findings.value,
    {{ render_message('findings.message_zh') }} || ' / ' || {{ render_message('findings.message_en') }} as message,
    -- the Chinese half alone, for the departments' reports
    {{ render_message('findings.message_zh') }} as message_zh,
    findings.action_zh
from findings
left join {{ ref('validation_current_loads') }} delivery on delivery.extract = findings.extract
left join {{ ref('int_enterprises') }} population
  on population.uscc = findings.uscc and population.statistics_issue is distinct from 'statistics_duplicate'
