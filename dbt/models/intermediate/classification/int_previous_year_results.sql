-- mujun's own stored results for data year − 1, when that year has been evaluated in this
-- warehouse (marts keep every year). Read through the `results` source, which is the
-- classification mart itself: a ref() would be a cycle (the mart is built from this model), and
-- the source makes the read visible to dbt and, through the translator, to Dagster as the
-- previous partition of marts/classification. On a fresh warehouse the table does not exist yet.
{%- set history = source('results', 'classification') %}
{%- set stored = load_relation(history) if execute else none %}

{% if stored is not none -%}
select uscc, status, final_class, land_mu, tax_paid
from {{ history }}
where data_year = {{ data_year() }} - 1
{%- else -%}
select null::varchar as uscc, null::varchar as status, null::varchar as final_class,
       null::double as land_mu, null::double as tax_paid
where false
{%- endif %}
