-- 生态环境局: pollution penalties (with level) and missed emission targets.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ clean_text('r.case_id') }} as case_id,
    {{ parse_enum('r.kind', 'env_kind') }} as kind,
    {{ parse_enum('r.level', 'env_level') }} as level,
    {{ parse_date('r.occurred_on') }} as occurred_on
from {{ accepted_rows('environment') }} r
