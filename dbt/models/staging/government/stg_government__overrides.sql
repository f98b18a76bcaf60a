-- 区委区政府: the final decision on an enterprise's class.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ parse_enum('r.final_class', 'class') }} as final_class,
    {{ clean_text('r.reason') }} as reason,
    {{ clean_text('r.approved_by') }} as approved_by,
    {{ parse_date('r.approved_on') }} as approved_on
from {{ accepted_rows('overrides') }} r
