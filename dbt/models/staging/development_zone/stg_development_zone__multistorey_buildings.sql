-- 自然资源局/开发区: new multistorey factory buildings (工业上楼). Buildings with impossible
-- figures and repeated building ids are quarantined (validation_reward_row_errors).
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ clean_text('r.building_id') }} as building_id,
    {{ parse_date('r.completed_on') }} as completed_on,
    {{ as_amount(parse_decimal('r.plot_ratio')) }} as plot_ratio,
    {{ as_amount(parse_decimal('r.building_density_pct')) }} as building_density_pct,
    {{ as_amount(parse_decimal('r.floor_area_m2')) }} as floor_area_m2,
    -- an empty floor area means the building has no such floor
    coalesce({{ as_amount(parse_decimal('r.floor3_area_m2')) }}, 0) as floor3_area_m2,
    coalesce({{ as_amount(parse_decimal('r.floor4_up_area_m2')) }}, 0) as floor4_up_area_m2,
    {{ parse_bool('r.project_eligible') }} as project_eligible
from {{ accepted_rows('multistorey_buildings') }} r
