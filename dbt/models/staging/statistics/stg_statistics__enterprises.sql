-- 统计局: the evaluation population, one accepted row per enterprise.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ clean_text('r.name') }} as name,
    {{ clean_text('r.township') }} as township,
    {{ parse_industry_code('r.industry_code') }} as industry_code,
    {{ parse_enum('r.scale', 'scale') }} as scale,
    {{ parse_decimal('r.gross_output') }} as gross_output,
    {{ parse_decimal('r.gross_output_prev') }} as gross_output_prev,
    {{ parse_decimal('r.revenue') }} as revenue,
    {{ parse_decimal('r.revenue_prev') }} as revenue_prev,
    {{ parse_decimal('r.total_profit') }} as total_profit,
    {{ parse_decimal('r.energy_tce') }} as energy_tce,
    {{ parse_date('r.above_scale_since') }} as above_scale_since,
    {{ parse_date('r.halted_since') }} as halted_since
from {{ accepted_rows('statistics') }} r
