-- Lines of one-row-per-enterprise extracts whose (valid) USCC appears more than once in the
-- same delivery: all such lines are quarantined, none is picked silently.
with keys as (
    select c.extract, c.source_file, c.load_id, c.line_number, upper(trim(c.value)) as uscc, c.value
    from {{ ref('stg_raw__cells') }} c
    join {{ ref('extracts') }} e on e.extract = c.extract and e.one_row_per_enterprise
    where c.column_name = 'uscc' and c.uscc_valid
)

select extract, source_file, load_id, line_number, uscc as row_uscc, 'uscc' as column_name, value,
       'uscc_duplicate' as check_name
from keys
qualify count(*) over (partition by extract, uscc) > 1
