-- 统计局: earlier annual outputs of enterprises (产值突破奖 "首次超过" looks at every known year).
-- Lines repeating an enterprise and year are quarantined (validation_reward_row_errors).
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ parse_int('r.year') }} as year,
    {{ as_amount(parse_decimal('r.gross_output')) }} as gross_output
from {{ accepted_rows('output_history') }} r
