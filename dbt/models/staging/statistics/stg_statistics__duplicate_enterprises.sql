-- 统计局: enterprises delivered on more than one line. All their lines are quarantined; the
-- enterprise itself stays listed (blocked) with the name and township of its first line.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    d.row_uscc as uscc,
    {{ clean_text('r.name') }} as name,
    {{ clean_text('r.township') }} as township,
    {{ clean_text('r.industry_code') }} as industry_code,
    {{ parse_enum('r.scale', 'scale') }} as scale
from {{ ref('stg_raw__duplicate_keys') }} d
join {{ source('raw', 'statistics') }} r on r.load_id = d.load_id and r.line_number = d.line_number
where d.extract = 'statistics'
qualify row_number() over (partition by d.row_uscc order by r.line_number) = 1
