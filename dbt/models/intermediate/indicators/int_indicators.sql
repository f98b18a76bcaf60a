-- The basic indicators (RULES §5) of every evaluated enterprise. Negative tax counts as zero.
select
    uscc,
    scale,
    land_mu,
    tax_paid,
    greatest(tax_paid, 0) as tax_used,
    gross_output,
    energy_tce,
    greatest(tax_paid, 0) / land_mu as tax_per_mu,
    gross_output / land_mu as output_per_mu,
    case when scale = 'above' then gross_output / energy_tce end as output_per_energy
from {{ ref('int_enterprise_status') }}
where status = 'evaluated'
