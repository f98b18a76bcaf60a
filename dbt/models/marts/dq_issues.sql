-- 数据质量问题清单: one row per problem, worded for the department that has to fix it.
with findings as (
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
    join {{ ref('dq_checks') }} k on k.check_name = f.check_name
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
