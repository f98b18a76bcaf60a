-- 科技局: R&D expense, new invention patents, hi-tech status, R&D platform level.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ parse_decimal('r.rd_expense') }} as rd_expense,
    {{ parse_int('r.new_invention_patents') }} as new_invention_patents,
    {{ parse_bool('r.hitech') }} as hitech,
    {{ parse_enum('r.rd_platform', 'level3') }} as rd_platform
from {{ accepted_rows('science_tech') }} r
