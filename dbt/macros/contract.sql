{#- The data contract (seeds extracts and extract_columns), read when dbt executes a node, so that
    validation can be written column by column on the delivered rows as they are (wide), and
    only failing cells become rows. Calling ref() first records the dependency at parse time. -#}

{# {extract: [contract column, ...]} in contract order; empty while dbt parses. #}
{% macro contract_columns() -%}
    {%- set relation = ref('extract_columns') -%}
    {%- set by_extract = {} -%}
    {%- if execute -%}
        {%- set rows = run_query("select extract, column_name, value_type, enum_name, value_required from "
                                 ~ relation ~ " order by extract, position") -%}
        {%- for row in rows -%}
            {%- do by_extract.setdefault(row['extract'], []).append(row) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(by_extract) }}
{%- endmacro %}

{# Extracts with one row per enterprise, whose USCC must not repeat within a delivery. #}
{% macro one_row_extracts() -%}
    {%- set relation = ref('extracts') -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {{ return(run_query("select extract from " ~ relation ~ " where one_row_per_enterprise order by extract").columns[0].values()) }}
{%- endmacro %}

{# The column a line is about: its enterprise (for leases, the lessee); NULL for an extract
   about no enterprise (e.g. township_monthly_output), when its contract columns are given. #}
{% macro about_column(extract, columns=none) -%}
    {%- if extract == 'land_leases' -%} lessee_uscc
    {%- elif columns is none or columns | selectattr('column_name', 'equalto', 'uscc') | list -%} uscc
    {%- else -%} null {%- endif -%}
{%- endmacro %}

{# A delivered cell as the checks read it: trimmed, never NULL; a USCC also upper-cased. Projected
   once per row, so that the checks below do not repeat trim() and upper() in every term. #}
{% macro cell_as_checked(col, column) -%}
    {%- if column['value_type'] == 'uscc' -%} upper({{ trim_cell("coalesce(" ~ col ~ ", '')") }})
    {%- else -%} {{ trim_cell("coalesce(" ~ col ~ ", '')") }} {%- endif -%}
{%- endmacro %}

{# The check a delivered cell fails, or NULL: the same parsers the staging models use. `cell` is
   the cell as projected by cell_as_checked (trimmed, never NULL): it is parsed as it is, without
   being cleaned again by every term. #}
{% macro cell_check(cell, column) -%}
    {%- set text = "nullif(" ~ cell ~ ", '')" -%}
    case
        when {{ cell }} = '' then {{ "'value_missing'" if column['value_required'] else 'null' }}
        {%- if column['value_type'] == 'uscc' %}
        when not {{ uscc_is_valid(cell) }} then 'uscc_invalid'
        {%- elif column['value_type'] == 'decimal' %}
        when {{ decimal_of(text) }} is null then 'decimal_invalid'
        {%- elif column['value_type'] == 'int' %}
        when {{ int_of(text) }} is null then 'int_invalid'
        {%- elif column['value_type'] == 'date' %}
        when {{ date_of(text) }} is null then 'date_invalid'
        {%- elif column['value_type'] == 'bool' %}
        when {{ bool_of(text) }} is null then 'bool_invalid'
        {%- elif column['value_type'] == 'enum' %}
        when {{ enum_code_of(cell, "'" ~ column['enum_name'] ~ "'") }} is null then 'enum_unknown'
        {%- elif column['value_type'] == 'industry_code' %}
        when {{ parse_industry_code(cell) }} is null then
            case when {{ industry_section_of(cell) }} is null then 'industry_code_invalid' else 'industry_section_mismatch' end
        {%- endif %}
    end
{%- endmacro %}

{# Models whose branches come from the contract render no ref() while dbt parses: name their
   inputs here so that the DAG is right (dbt records every ref and source rendered at parse time). #}
{% macro depends_on_deliveries(accepted=false) -%}
    -- depends_on: {{ ref('validation_current_loads') }}{% if accepted %}, {{ ref('validation_quarantined_lines') }}{% endif %}
    {%- for extract in raw_extracts() %}
    -- depends_on: {{ source('raw', extract) }}
    {%- endfor %}
{%- endmacro %}
