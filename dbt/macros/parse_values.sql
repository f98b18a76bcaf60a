{#- How a delivered text cell becomes a typed value (see the data contract, EXTRACTS.md).
    Each parser returns NULL for an empty cell and for a value it cannot read; the validation
    models use the same parsers, so "unparseable" means exactly "this parser returned NULL". -#}

{% macro clean_text(col) -%}
    nullif(trim({{ col }}), '')
{%- endmacro %}

{% macro parse_uscc(col) -%}
    upper({{ clean_text(col) }})
{%- endmacro %}

{# A finite number or NULL. DuckDB reads 'nan', 'inf', 'Infinity' (any case, any sign) as
   doubles and an overflowing '1e400' as inf, and NaN > 0 is true in DuckDB: a value that is not
   finite must never reach a comparison or a mean, so it is "not a number" here (RULES §4). #}
{% macro parse_decimal(col) -%}
    {{ finite_or_null("try_cast(replace(" ~ clean_text(col) ~ ", ',', '') as double)") }}
{%- endmacro %}

{% macro finite_or_null(number) -%}
    (case when isfinite({{ number }}) then {{ number }} end)
{%- endmacro %}

{# A whole number or NULL: read as a finite number first, so that '1.5' is not silently rounded
   to 2 (DuckDB's cast from text rounds) and '0x10' is not read as hexadecimal; out of the
   integer range is NULL too. #}
{% macro parse_int(col) -%}
    {%- set number = parse_decimal(col) -%}
    try_cast(case when {{ number }} = floor({{ number }}) then {{ number }} end as integer)
{%- endmacro %}

{#- Industry codes (GB/T 4754-2017) as statistics systems write them: with the 门类 letter
    (`C3825`), in lower case, with spaces inside or around, in full-width characters (what a
    Chinese input method types). normalise_industry_code makes them `C3825` / `3825`; a code is
    then an optional section letter and two to four digits, whose first two digits are a
    division of the rule table `industry_divisions` and whose letter, if any, is that division's
    section. parse_industry_code returns the digits of a valid code, else NULL. -#}
{% macro normalise_industry_code(col) -%}
    regexp_replace(upper(translate({{ col }},
        '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ',
        '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')),
        '[\s\x{3000}\x{00A0}]', '', 'g')
{%- endmacro %}

{# The parts of a normalised code: section letter ('' when none), division (two digits), and
   the digits of the code; empty strings when the code is not shaped like one. #}
{% macro industry_code_parts(col) -%}
    regexp_extract({{ normalise_industry_code(col) }}, '^([A-Z]?)(([0-9]{2})[0-9]{0,2})$', ['section', 'code', 'division'])
{%- endmacro %}

{# The section (门类) of the division a code names, whatever its letter; NULL when the code is
   not shaped like one or its division is unknown. Tells a wrong letter from an unknown division. #}
{% macro industry_section_of(col) -%}
    (select d.section from {{ rules_in_force('industry_divisions') }} d
      where d.division = struct_extract({{ industry_code_parts(col) }}, 'division'))
{%- endmacro %}

{# The division (大类) of a parsed industry code: its first two digits (GB/T 4754). #}
{% macro industry_division(code) -%}
    left({{ code }}, 2)
{%- endmacro %}

{% macro parse_industry_code(col) -%}
    (select p.parts.code from (select {{ industry_code_parts(col) }} as parts) p
      join {{ rules_in_force('industry_divisions') }} d
        on d.division = p.parts.division and p.parts.section in ('', d.section))
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
