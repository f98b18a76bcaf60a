-- 市场监管局: quality awards by year.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ parse_enum('r.award', 'award') }} as award,
    {{ parse_int('r.year') }} as award_year
from {{ accepted_rows('quality_awards') }} r
