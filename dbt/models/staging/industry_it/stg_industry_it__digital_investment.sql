-- 工信局: invoices of digital-transformation purchases, by item (数字化转型补助).
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ clean_text('r.project_id') }} as project_id,
    {{ parse_enum('r.item', 'digital_item') }} as item,
    {{ as_amount(parse_decimal('r.invoice_amount')) }} as invoice_amount,
    {{ parse_int('r.year') }} as year
from {{ accepted_rows('digital_investment') }} r
