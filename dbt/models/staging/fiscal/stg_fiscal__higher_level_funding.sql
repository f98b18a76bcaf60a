-- 财政局: funds of higher levels already received, per reward item and year (no double funding).
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ parse_enum('r.item', 'reward_item') }} as item,
    {{ parse_enum('r.level', 'level3') }} as level,
    {{ as_amount(parse_decimal('r.amount')) }} as amount,
    {{ parse_int('r.year') }} as year
from {{ accepted_rows('higher_level_funding') }} r
