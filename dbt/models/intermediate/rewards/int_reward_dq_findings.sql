-- Data problems found while assessing the 附件2 rewards (wording in dq_checks): a township
-- without every month (error, 统计局), a month whose growth cannot be computed, earlier outputs whose sources disagree, an enterprise
-- that cannot show a first crossing for want of its previous output, and reward files not
-- delivered (their items are not assessed this year).
with current_loads as (select * from {{ ref('validation_current_loads') }}),

incomplete_townships as (
    select 'township_monthly_output' as extract, source_file as file, first_line as line, null::varchar as uscc,
           'township_months_incomplete' as check_name, 'month' as column_name, township as value
    from {{ ref('int_reward_township_contribution') }}
    where status = 'incomplete'
),

-- a month whose previous-year output is zero has no growth (REWARDS §4): it is not one of the
-- months that reach the band's monthly rate, and the bureau is told so (below zero is an error
-- of the line: validation_reward_row_errors)
months_without_growth as (
    select 'township_monthly_output', m.source_file, m.line_number, null::varchar, 'township_month_prev_zero', 'output_prev',
           '“' || m.township || '”' || m.month || '月'
    from {{ ref('stg_statistics__township_monthly_output') }} m
    where m.output_prev = 0
),

history_conflicts as (
    select extract, source_file, line_number, uscc, 'output_history_conflict', 'gross_output',
           year || '：' || sources
    from {{ ref('int_reward_output_history') }}
    where sources_disagree
),

no_previous_output as (
    select 'statistics', e.source_file, e.line_number, e.uscc, 'breakthrough_no_prev', 'gross_output_prev',
           {{ num_text('e.gross_output') }}
    from {{ ref('int_reward_enterprises') }} e
    where e.gross_output_prev is null
      and e.gross_output > (select min(output_over) from {{ rules_in_force('reward_breakthrough') }})
),

not_delivered as (
    -- an optional reward file that was not delivered: which items are therefore not assessed
    select i.source_extract, l.source_file, null::bigint, null::varchar, 'reward_items_not_assessed', null::varchar,
           string_agg(i.label_zh, '、' order by i.position)
    from {{ ref('reward_items') }} i
    join {{ ref('extracts') }} x on x.extract = i.source_extract and not x.required
    join current_loads l on l.extract = i.source_extract and not l.delivered
    group by i.source_extract, l.source_file
    union all
    select 'higher_level_funding', l.source_file, null, null, 'funding_not_checked', null, null
    from current_loads l
    where l.extract = 'higher_level_funding' and not l.delivered
)

select * from incomplete_townships
union all select * from months_without_growth
union all select * from history_conflicts
union all select * from no_previous_output
union all select * from not_delivered
