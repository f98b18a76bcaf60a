-- 市相关部门: honours (表彰) by level and year.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ clean_text('r.title') }} as title,
    {{ parse_enum('r.level', 'level3') }} as level,
    {{ parse_int('r.year') }} as honor_year
from {{ accepted_rows('honors') }} r
