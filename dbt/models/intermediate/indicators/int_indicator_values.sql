-- The indicators in long form: one row per enterprise and indicator that has a value.
select uscc, scale, gross_output, indicator, value
from (
    unpivot {{ ref('int_indicators') }}
    on tax_per_mu, output_per_mu, output_per_energy
    into name indicator value value
)
