-- 乡镇街道/开发区: lease contracts, area in 亩; either party may be outside the population.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ clean_text('r.lease_id') }} as lease_id,
    {{ parse_uscc('r.lessor_uscc') }} as lessor_uscc,
    {{ parse_uscc('r.lessee_uscc') }} as lessee_uscc,
    {{ parse_decimal('r.area_mu') }} as area_mu,
    {{ parse_bool('r.verified') }} as verified
from {{ accepted_rows('land_leases') }} r
