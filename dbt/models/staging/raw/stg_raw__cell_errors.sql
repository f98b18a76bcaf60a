-- Cells that break the data contract: a required value missing, or a value its parser cannot
-- read. Each quarantines its line (see stg_raw__quarantined_lines).
with checked as (
    select
        c.*,
        case
            when trim(c.value) = '' then case when c.value_required then 'value_missing' end
            when c.value_type = 'uscc' and not c.uscc_valid then 'uscc_invalid'
            when c.value_type = 'decimal' and {{ parse_decimal('c.value') }} is null then 'decimal_invalid'
            when c.value_type = 'int' and {{ parse_int('c.value') }} is null then 'int_invalid'
            when c.value_type = 'date' and {{ parse_date('c.value') }} is null then 'date_invalid'
            when c.value_type = 'bool' and {{ parse_bool('c.value') }} is null then 'bool_invalid'
            when c.value_type = 'enum' and {{ enum_code('c.value', 'c.enum_name') }} is null then 'enum_unknown'
        end as check_name
    from {{ ref('stg_raw__cells') }} c
)

select extract, source_file, load_id, line_number, row_uscc, column_name, value, check_name
from checked
where check_name is not null
