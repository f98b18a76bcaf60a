-- 统计局: enterprises whose statistics lines are all quarantined while their USCC is valid
-- (RULES §4: an enterprise of the statistics extract never vanishes). Delivered on more than
-- one line: `statistics_duplicate`; one line with a cell that breaks the contract (an invalid
-- optional value, an unknown industry division, ...): `statistics_row_invalid`. Each stays
-- listed (blocked) once, with the name, township, industry code and scale of its first line as
-- far as they can be read; `problem_columns` names the columns that failed on that line.
with quarantined as (
    select
        r.data_year, r.load_id, r.source_file, r.line_number,
        {{ parse_uscc('r.uscc') }} as uscc,
        {{ clean_text('r.name') }} as name,
        {{ clean_text('r.township') }} as township,
        {{ parse_industry_code('r.industry_code') }} as industry_code,
        {{ parse_enum('r.scale', 'scale') }} as scale
    from {{ current_rows('statistics') }} r
    join {{ ref('validation_quarantined_lines') }} q
      on q.extract = 'statistics' and q.load_id = r.load_id and q.line_number = r.line_number
),

problem_columns as (
    select e.load_id, e.line_number,
           string_agg(distinct '“' || c.header_zh || '”（' || e.column_name || '）', '、') as problem_columns
    from {{ ref('validation_cell_errors') }} e
    join {{ ref('extract_columns') }} c on c.extract = e.extract and c.column_name = e.column_name
    where e.extract = 'statistics'
    group by all
)

select
    q.*,
    case when count(*) over (partition by q.uscc) > 1 then 'statistics_duplicate'
         else 'statistics_row_invalid' end as statistics_issue,
    p.problem_columns
from quarantined q
left join problem_columns p on p.load_id = q.load_id and p.line_number = q.line_number
-- an invalid USCC identifies nobody: that line is reported, but no enterprise can be listed
where {{ uscc_is_valid('q.uscc') }}
qualify row_number() over (partition by q.uscc order by q.line_number) = 1
