{#- The working tables of one data year (validation, staging, intermediate): each build replaces
    the whole table in one statement. dbt-duckdb's `table` materialization stages the new table,
    renames the old one aside, checks indexes, foreign keys and grants and drops the backup: about
    ten statements and their Jinja per model, which cost more than the model's own SQL at the
    scale of a district. `create or replace table` is atomic in DuckDB. -#}
{% materialization working_table, adapter="duckdb" %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {{ run_hooks(pre_hooks) }}
  {% call statement('main') -%}
    create or replace table {{ target_relation }} as (
      {{ compiled_code }}
    )
  {%- endcall %}
  {{ run_hooks(post_hooks) }}
  {{ adapter.commit() }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
