-- Every data problem found this run, before wording: file-level findings from ingestion,
-- cells that break the contract, duplicate keys, blocked enterprises and warnings (RULES §4).
with current_loads as (select * from {{ ref('validation_current_loads') }}),

file_findings as (
    select i.extract, i.source_file as file, i.line_number as line, null as uscc,
           i.check_name, i.column_name, i.value
    from {{ source('raw', 'load_issues') }} i
    join current_loads l on l.load_id = i.load_id
    union all
    -- files in the year folder outside the contract belong to no delivery (load_id null); each
    -- run of the year rewrites them, so only what lies in the folder now is reported
    select i.extract, i.source_file, i.line_number, null, i.check_name, i.column_name, i.value
    from {{ source('raw', 'load_issues') }} i
    where i.load_id is null and i.data_year = {{ data_year() }}
),

cell_findings as (
    select extract, source_file as file, line_number as line, row_uscc as uscc, check_name, column_name, value
    from {{ ref('validation_cell_errors') }}
    union all
    select extract, source_file, line_number, row_uscc, check_name, column_name, value
    from {{ ref('validation_duplicate_keys') }}
    union all
    select extract, source_file, line_number, row_uscc, check_name, column_name, value
    from {{ ref('validation_row_rule_errors') }}
    union all
    select extract, source_file, line_number, row_uscc, check_name, column_name, value
    from {{ ref('validation_reward_row_errors') }}
),

-- blocked enterprises: in scope, or listed because their statistics line was quarantined
blocked as (
    select s.uscc, unnest(s.block_reasons) as check_name, s.line_number, s.land_mu, q.problem_columns
    from {{ ref('int_enterprise_status') }} s
    left join {{ ref('stg_statistics__quarantined_enterprises') }} q on q.uscc = s.uscc
    where s.in_scope or s.statistics_issue is not null
),

enterprise_findings as (
    select c.extract, l.source_file as file,
           case when c.extract = 'statistics' then b.line_number end as line,
           b.uscc, b.check_name, null as column_name,
           case when b.check_name = 'land_not_positive' then cast(b.land_mu as varchar)
                when b.check_name = 'statistics_row_invalid' then b.problem_columns end as value
    from blocked b
    join {{ ref('dq_checks') }} c on c.check_name = b.check_name
    left join current_loads l on l.extract = c.extract
),

warnings as (
    select 'land_leases' as extract, source_file as file, line_number as line,
           coalesce(lessee_uscc, lessor_uscc) as uscc, 'lease_unverified' as check_name,
           'verified' as column_name, lease_id as value
    from {{ ref('stg_townships__land_leases') }}
    where not verified
    union all
    -- a lease naming neither party is read, but its area counts for nobody
    select 'land_leases', source_file, line_number, null, 'lease_parties_missing', 'lessee_uscc', lease_id
    from {{ ref('stg_townships__land_leases') }}
    where lessor_uscc is null and lessee_uscc is null
    union all
    select 'tax', source_file, line_number, uscc, 'tax_negative', 'tax_paid', cast(tax_paid as varchar)
    from {{ ref('stg_tax__payments') }}
    where tax_paid < 0
    {% for extract, model, column in [
        ('safety_accidents', 'stg_emergency__safety_accidents', 'occurred_on'),
        ('environment', 'stg_environment__cases', 'occurred_on'),
        ('land_violations', 'stg_natural_resources__land_violations', 'discovered_on'),
    ] %}
    union all
    -- an event dated in another year counts for no item of this one (int_events_in_year): said,
    -- since the date may be a typo or the event another year's delivery
    select '{{ extract }}', source_file, line_number, uscc, 'event_outside_year', '{{ column }}', cast({{ column }} as varchar)
    from {{ ref(model) }}
    where year({{ column }}) <> {{ data_year() }}
    {% endfor %}
    union all
    -- the government decides a year's classes in that year or the next, when it is evaluated
    -- (as a run's cutoff: evaluation_config.py); another date is likely last year's line kept
    select 'overrides', source_file, line_number, uscc, 'override_date_outside', 'approved_on', cast(approved_on as varchar)
    from {{ ref('stg_government__overrides') }}
    where year(approved_on) not in ({{ data_year() }}, {{ data_year() }} + 1)
    {% for column in ['gross_output', 'gross_output_prev', 'revenue', 'revenue_prev'] %}
    union all
    -- output and sales are never negative: used as delivered (RULES §4 blocks on a missing
    -- output only), and the statistics bureau hears of it
    select 'statistics', source_file, line_number, uscc, 'statistics_value_negative', '{{ column }}', {{ as_text(column) }}
    from {{ ref('stg_statistics__enterprises') }}
    where {{ column }} < 0
    {% endfor %}
),

-- an override only sets the class of an evaluated enterprise: one for an enterprise that is
-- blocked or out of scope this year is not applied, and the government must be told
overrides_not_applied as (
    select 'overrides', o.source_file, o.line_number, o.uscc,
           'override_not_applied_' || s.status, 'final_class', o.final_class
    from {{ ref('stg_government__overrides') }} o
    join {{ ref('int_enterprise_status') }} s on s.uscc = o.uscc
    where s.status <> 'evaluated'
)

select * from file_findings
union all select * from cell_findings
union all select * from {{ ref('int_dq_guards') }}
union all select * from {{ ref('int_dq_orphans') }}
union all select * from {{ ref('int_reward_dq_findings') }}
union all select * from enterprise_findings
union all select * from warnings
union all select * from overrides_not_applied
