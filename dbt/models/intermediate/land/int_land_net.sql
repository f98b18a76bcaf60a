-- Net land per enterprise: registered + leased in − leased out (亩).
select
    e.uscc,
    coalesce(r.parcel_count, 0) as parcel_count,
    coalesce(r.registered_mu, 0) as registered_mu,
    coalesce(l.leased_in_mu, 0) as leased_in_mu,
    coalesce(l.leased_out_mu, 0) as leased_out_mu,
    coalesce(r.registered_mu, 0) + coalesce(l.leased_in_mu, 0) - coalesce(l.leased_out_mu, 0) as land_mu
from {{ ref('int_enterprises') }} e
left join {{ ref('int_land_registered') }} r on r.uscc = e.uscc
left join {{ ref('int_land_leased') }} l on l.uscc = e.uscc
