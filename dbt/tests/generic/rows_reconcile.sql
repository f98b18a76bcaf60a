{# Nothing is lost: the staging model of each extract (the model whose yml names it in
   meta.extract) holds exactly the rows the reconciliation counts as accepted for this year.
   Staging models are found in the graph when the test runs, so that a new extract needs no
   edit here; an extract without a staging model is reconciled by validation alone. #}
{% test rows_reconcile(model) %}
{%- set staged = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.meta.get('extract') -%}
        {%- do staged.append((node.config.meta['extract'], node.relation_name)) -%}
    {%- endfor -%}
{%- endif %}
with staged as (
{%- for extract, relation in staged %}
    select '{{ extract }}' as extract, count(*) as rows_staged from {{ relation }}
    {% if not loop.last %}union all{% endif %}
{%- else %}
    select null::varchar as extract, 0 as rows_staged where false
{%- endfor %}
)

select r.extract, r.rows_read, r.rows_accepted, r.rows_quarantined, s.rows_staged
from {{ model }} r
join staged s on s.extract = r.extract
where r.data_year = {{ data_year() }}
  and (r.rows_accepted <> s.rows_staged or r.rows_accepted < 0)
{% endtest %}
