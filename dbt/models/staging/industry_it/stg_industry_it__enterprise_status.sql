-- 工信局: honours, equipment investment, elimination list, energy target, previous class.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ parse_enum('r.specialized', 'specialized') }} as specialized,
    {{ parse_enum('r.smart_manufacturing', 'level2') }} as smart_manufacturing,
    {{ parse_enum('r.single_champion', 'level2') }} as single_champion,
    {{ parse_enum('r.green_factory', 'level2') }} as green_factory,
    {{ parse_decimal('r.equipment_investment') }} as equipment_investment,
    {{ parse_bool('r.elimination_listed') }} as elimination_listed,
    {{ parse_bool('r.energy_target_missed') }} as energy_target_missed,
    {{ parse_enum('r.prev_class', 'class') }} as prev_class
from {{ accepted_rows('industry_it') }} r
