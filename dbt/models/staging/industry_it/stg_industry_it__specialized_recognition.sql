-- 工信局: 专精特新 level and the year it was recognised (专精特新一次性奖励).
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ parse_enum('r.specialized', 'specialized') }} as specialized,
    {{ parse_int('r.specialized_year') }} as specialized_year
from {{ accepted_rows('industry_it') }} r
