-- 税务局: tax paid (万元) and the direct D credit rating.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ parse_decimal('r.tax_paid') }} as tax_paid,
    {{ parse_bool('r.credit_rating_d') }} as credit_rating_d
from {{ accepted_rows('tax') }} r
