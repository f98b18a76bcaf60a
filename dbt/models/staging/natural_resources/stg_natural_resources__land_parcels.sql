-- 自然资源局: registered parcels, area in m².
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ clean_text('r.parcel_id') }} as parcel_id,
    {{ parse_decimal('r.area_m2') }} as area_m2
from {{ accepted_rows('land_parcels') }} r
