-- Accepted rows of departmental files whose USCC is not in the statistics population: they
-- take no part in the evaluation. An override for an unknown enterprise is an error.
{{ depends_on_deliveries(accepted=true) }}
-- depends_on: {{ ref('int_enterprises') }}
{%- set contract = contract_columns() %}
{%- set extracts = [] %}
{%- for extract in raw_extracts() if extract != 'statistics' %}
    {%- if contract.get(extract, []) | selectattr('column_name', 'equalto', 'uscc') | list %}
        {%- do extracts.append(extract) %}
    {%- endif %}
{%- endfor %}

{%- for extract in extracts %}
select
    '{{ extract }}' as extract,
    r.source_file as file,
    r.line_number as line,
    upper({{ trim_cell('r.uscc') }}) as uscc,
    '{{ 'override_unknown_enterprise' if extract == 'overrides' else 'uscc_not_in_population' }}' as check_name,
    'uscc' as column_name,
    coalesce(r.uscc, '') as value
from {{ accepted_rows(extract) }} r
where not exists (select 1 from {{ ref('int_enterprises') }} e where e.uscc = upper({{ trim_cell('r.uscc') }}))
{% if not loop.last %}union all{% endif %}
{%- else %}
select null::varchar as extract, null::varchar as file, null::bigint as line, null::varchar as uscc,
       null::varchar as check_name, null::varchar as column_name, null::varchar as value
where false
{%- endfor %}
