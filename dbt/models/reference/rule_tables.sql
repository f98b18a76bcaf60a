-- The dated rule tables (those with a reference.in_force_<table> model), per data year. Its
-- post-hook defines reference.rows_in_force(table_name, year): the rows of a rule table *as
-- loaded now* in force for a year, for what must see the rule tables themselves (publish and
-- verify fingerprint them) rather than the rows a run used. Same predicate as the models.
{{ config(post_hook="create or replace macro {{ this.schema }}.rows_in_force(table_name, year) as table
    select * exclude (from_year, to_year) from query_table(table_name) where {{ in_force('year') }}") }}
{%- set tables = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name.startswith('in_force_') -%}
        {%- do tables.append(node.name[('in_force_' | length):]) -%}
    {%- endfor -%}
{%- endif %}
select {{ data_year() }} as data_year, table_name
from (values {% for t in tables | sort %}('{{ t }}'){{ ', ' if not loop.last }}{% else %}(null){% endfor %}) t (table_name)
where table_name is not null
