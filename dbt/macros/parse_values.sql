{#- How a delivered text cell becomes a typed value (see the data contract, EXTRACTS.md).
    Each parser returns NULL for an empty cell and for a value it cannot read; the validation
    models use the same parsers, so "unparseable" means exactly "this parser returned NULL". -#}

{% macro clean_text(col) -%}
    nullif(trim({{ col }}), '')
{%- endmacro %}

{% macro parse_uscc(col) -%}
    upper({{ clean_text(col) }})
{%- endmacro %}

{% macro parse_decimal(col) -%}
    try_cast(replace({{ clean_text(col) }}, ',', '') as double)
{%- endmacro %}

{% macro parse_int(col) -%}
    try_cast(replace({{ clean_text(col) }}, ',', '') as integer)
{%- endmacro %}

{% macro parse_date(col) -%}
    cast(try_strptime({{ clean_text(col) }}, ['%Y-%m-%d', '%Y/%m/%d']) as date)
{%- endmacro %}

{# Booleans: empty is false; an unknown label is NULL (and reported). #}
{% macro parse_bool(col) -%}
    case when {{ clean_text(col) }} is null then false
         else (select b.value from {{ ref('boolean_labels') }} b where lower(b.label) = lower(trim({{ col }}))) end
{%- endmacro %}

{% macro parse_enum(col, enum_name) -%}
    {{ enum_code(col, "'" ~ enum_name ~ "'") }}
{%- endmacro %}

{% macro enum_code(col, enum_name_expr) -%}
    (select e.code from {{ ref('enum_labels') }} e
      where e.enum_name = {{ enum_name_expr }} and lower(e.label) = lower(trim({{ col }})))
{%- endmacro %}

{# Fill a message template of the dq_checks rule table. #}
{% macro render_message(template) -%}
    replace(replace(replace(replace(replace({{ template }},
        '{file}', coalesce(file, '')),
        '{line}', coalesce(cast(line as varchar), '')),
        '{column}', coalesce(column_name, '')),
        '{header}', coalesce(header_zh, '')),
        '{value}', coalesce(value, ''))
{%- endmacro %}

{# A number as short text for messages (six significant digits). #}
{% macro as_text(number) -%}
    printf('%.6g', {{ number }})
{%- endmacro %}
