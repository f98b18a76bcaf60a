{#- Tables that keep every data year side by side (marts, reference): a build replaces the rows of
    its own data year (or, with `replace_data_year=false`, adds its rows: classification_runs). The
    new rows are staged in a temporary table; columns a new version of the model adds are added to
    the table (as dbt's `on_schema_change: append_new_columns`); then, in one transaction, the
    year's rows are deleted and the staged rows inserted by column name. dbt-duckdb's `incremental`
    materialization does the same through several relations, schema comparisons and statements
    per model, which cost more than the SQL itself at the scale of a district. -#}
{% materialization data_year_rows, adapter="duckdb" %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set replace_data_year = config.get('replace_data_year', true) -%}
  {%- set staged = this.identifier ~ '__mujun_staged' -%}
  {{ run_hooks(pre_hooks) }}
  {% if existing_relation is none %}
    {% call statement('main') -%}
      create table {{ target_relation }} as (
        {{ compiled_code }}
      )
    {%- endcall %}
  {% else %}
    {% call statement('stage') -%}
      create or replace temporary table {{ staged }} as (
        {{ compiled_code }}
      )
    {%- endcall %}
    {%- set added = run_query(
        "select s.column_name, s.data_type from duckdb_columns() s where s.database_name = 'temp' and s.table_name = '" ~ staged ~ "'"
        ~ " and s.column_name not in (select t.column_name from duckdb_columns() t where t.database_name = '" ~ target_relation.database
        ~ "' and t.schema_name = '" ~ target_relation.schema ~ "' and t.table_name = '" ~ target_relation.identifier ~ "')"
        ~ " order by s.column_index") -%}
    {% call statement('main') -%}
      {% for column in added.rows -%}
      alter table {{ target_relation }} add column {{ adapter.quote(column[0]) }} {{ column[1] }};
      {% endfor -%}
      {% if replace_data_year -%}
      delete from {{ target_relation }} where data_year = {{ data_year() }};
      {% endif -%}
      insert into {{ target_relation }} by name select * from {{ staged }};
      drop table {{ staged }}
    {%- endcall %}
  {% endif %}
  {{ run_hooks(post_hooks) }}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
