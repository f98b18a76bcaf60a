-- 市场监管局: standards drafted, with level and role, by year.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ clean_text('r.standard_code') }} as standard_code,
    {{ parse_enum('r.level', 'std_level') }} as level,
    {{ parse_enum('r.role', 'std_role') }} as role,
    {{ parse_int('r.year') }} as standard_year
from {{ accepted_rows('standards') }} r
