-- Registered land per enterprise (自然资源局), converted from m² to 亩.
select
    uscc,
    count(*) as parcel_count,
    sum(area_m2) * {{ rule_param('mu_per_hectare') }} / {{ m2_per_hectare() }} as registered_mu
from {{ ref('stg_natural_resources__land_parcels') }}
group by uscc
