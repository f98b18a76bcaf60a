-- 自然资源局: illegal land use cases.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ clean_text('r.case_id') }} as case_id,
    {{ parse_date('r.discovered_on') }} as discovered_on
from {{ accepted_rows('land_violations') }} r
