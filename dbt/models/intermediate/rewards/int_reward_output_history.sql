-- Every known annual output of an eligible enterprise before the data year (产值突破奖 "首次超过"):
-- the output_history extract, gross_output_prev of this year's statistics (year − 1), and the
-- project's own statistics deliveries of earlier data years (raw keeps every load: their
-- gross_output and gross_output_prev). Where sources give different values for the same year,
-- the larger counts (conservative) and the disagreement is reported (int_reward_dq_findings).
-- depends_on: {{ source('raw', 'loads') }}
with eligible as (select * from {{ ref('int_reward_enterprises') }}),

delivered_history as (
    select h.uscc, h.year, h.gross_output as value, 'output_history.csv' as source,
           h.source_file, h.line_number, 'a_delivered_history' as preference
    from {{ ref('stg_statistics__output_history') }} h
    where h.year < {{ data_year() }} and h.gross_output is not null
),

previous_output as (
    select uscc, {{ data_year() }} - 1 as year, gross_output_prev as value,
           source_file || ' gross_output_prev' as source, source_file, line_number, 'b_previous_output' as preference
    from eligible
    where gross_output_prev is not null
),

earlier_loads as (
    -- the statistics delivery in force for each earlier data year
    select load_id, data_year
    from {{ source('raw', 'loads') }}
    where extract = 'statistics' and delivered and data_year < {{ data_year() }}
    qualify row_number() over (partition by data_year order by loaded_at desc, load_id desc) = 1
),

earlier_rows as (
    select {{ parse_uscc('r.uscc') }} as uscc, l.data_year,
           {{ as_amount(parse_decimal('r.gross_output')) }} as gross_output,
           {{ as_amount(parse_decimal('r.gross_output_prev')) }} as gross_output_prev
    from {{ source('raw', 'statistics') }} r
    join earlier_loads l on l.load_id = r.load_id
),

stored as (
    select uscc, data_year as year, gross_output as value, 'statistics.csv ' || data_year as source,
           null::varchar as source_file, null::bigint as line_number, 'c_stored_output' as preference
    from earlier_rows where gross_output is not null
    union all
    select uscc, data_year - 1, gross_output_prev, 'statistics.csv ' || data_year || ' gross_output_prev',
           null, null, 'd_stored_previous_output'
    from earlier_rows where gross_output_prev is not null
),

known as (
    select k.* from (
        select * from delivered_history
        union all select * from previous_output
        union all select * from stored
    ) k
    where k.uscc in (select uscc from eligible)
)

select
    uscc,
    year,
    max(value) as gross_output,
    count(distinct value) > 1 as sources_disagree,
    string_agg(source || ' ' || {{ num_text('value') }}, '；' order by preference, source) as sources,
    -- where to point a warning: the delivered line that can be corrected first
    arg_min(source_file, preference) filter (where source_file is not null) as source_file,
    arg_min(line_number, preference) filter (where source_file is not null) as line_number,
    arg_min(case when preference = 'a_delivered_history' then 'output_history' else 'statistics' end, preference)
        filter (where source_file is not null) as extract
from known
group by uscc, year
