-- 统计局: each township's industrial output per month of the data year and the same month of
-- the previous year (乡镇产值贡献奖). Months outside the year and repeated months are quarantined.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ clean_text('r.township') }} as township,
    {{ parse_int('r.month') }} as month,
    {{ as_amount(parse_decimal('r.output')) }} as output,
    {{ as_amount(parse_decimal('r.output_prev')) }} as output_prev
from {{ accepted_rows('township_monthly_output') }} r
