-- 评价状态: one row per data year: counts and whether the result may be published
-- (no blocked enterprise and no error-severity data issue, RULES §10).
with classes as (
    select
        count(*) filter (where status = 'evaluated') as evaluated,
        count(*) filter (where status = 'blocked') as blocked,
        count(*) filter (where status = 'out_of_scope') as out_of_scope
    from {{ ref('int_enterprise_status') }}
),

issues as (
    select
        count(*) filter (where k.severity = 'error') as error_issues,
        count(*) filter (where k.severity = 'warning') as warning_issues
    from {{ ref('int_dq_findings') }} f
    join {{ ref('dq_checks') }} k on k.check_name = f.check_name
)

select
    {{ data_year() }} as data_year,
    {{ cutoff_date() }} as cutoff,
    '{{ var("benchmark_method") }}' as benchmark_method,
    '{{ var("ranking_groups") }}' as ranking_groups,
    classes.*,
    issues.*,
    classes.blocked = 0 and issues.error_issues = 0 as publishable,
    now() as evaluated_at
from classes, issues
