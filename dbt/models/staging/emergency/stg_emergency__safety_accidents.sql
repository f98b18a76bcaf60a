-- 应急管理局: production safety accidents with their level.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ clean_text('r.accident_id') }} as accident_id,
    {{ parse_date('r.occurred_on') }} as occurred_on,
    {{ parse_enum('r.level', 'accident') }} as level
from {{ accepted_rows('safety_accidents') }} r
