-- Verified leases per enterprise, leased in (as lessee) and leased out (as lessor).
-- Unverified contracts do not count (由各镇办、区开发区核实认定); they are reported as warnings.
with verified as (
    select * from {{ ref('stg_townships__land_leases') }} where verified
)

select uscc, sum(leased_in_mu) as leased_in_mu, sum(leased_out_mu) as leased_out_mu
from (
    select lessee_uscc as uscc, area_mu as leased_in_mu, 0 as leased_out_mu from verified where lessee_uscc is not null
    union all
    select lessor_uscc as uscc, 0 as leased_in_mu, area_mu as leased_out_mu from verified where lessor_uscc is not null
) as leases
group by uscc
