{#- How a delivered text cell becomes a typed value (see the data contract, EXTRACTS.md).
    Each parser returns NULL for an empty cell and for a value it cannot read; the validation
    models use the same parsers, so "unparseable" means exactly "this parser returned NULL". -#}

{# White space around a delivered cell is no part of its value: spaces, and also the tabs, line
   ends, no-break and ideographic spaces that copying out of another system or a Chinese input
   method leaves (DuckDB's trim() strips spaces only), and the invisible characters a copy out of
   a web page or a Word file brings along (zero-width space, word joiner, byte order mark), which
   would make a code that looks right on screen fail its check. #}
{% macro trim_cell(col) -%}
    trim({{ col }}, ' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(12288) || chr(8203) || chr(8288) || chr(65279))
{%- endmacro %}

{% macro clean_text(col) -%}
    nullif({{ trim_cell(col) }}, '')
{%- endmacro %}

{% macro parse_uscc(col) -%}
    upper({{ clean_text(col) }})
{%- endmacro %}

{# A finite number or NULL (RULES §4, EXTRACTS). Only a plain decimal is a number: digits with
   an optional sign, decimal point and exponent, commas only as thousands separators in groups of
   three (`1,234.5`; `1,5` or `389,5` is a decimal comma, 10x or 100x off if read as 15). DuckDB
   would also read `6_000`, 'nan', 'inf', 'Infinity' and an overflowing '1e400' (as inf), and
   NaN > 0 is true in DuckDB. A value that underflows to zero ('1e-400') or is beyond what the
   warehouse computes exactly (number_magnitude_limit) is an overflow: not a number either. #}
{% macro parse_decimal(col) -%}
    {{ decimal_of(clean_text(col)) }}
{%- endmacro %}

{# The same on a cell already cleaned (trimmed, empty as NULL): the checks of the validation
   models clean each cell once and parse it then, since DuckDB evaluates the repeated cleaning
   inside a CASE once per use. #}
{% macro decimal_of(text) -%}
    {%- set number = "try_cast(replace(" ~ text ~ ", ',', '') as double)" -%}
    (case when regexp_full_match({{ text }}, '{{ number_pattern() }}')
               and isfinite({{ number }}) and abs({{ number }}) < {{ number_magnitude_limit() }}
               and ({{ number }} <> 0 or not regexp_matches(regexp_replace({{ text }}, '[eE].*$', ''), '[1-9]'))
          then {{ number }} end)
{%- endmacro %}

{# A plain decimal as delivered: sign, digits (thousands separated by commas in groups of three,
   or none), decimal point, exponent. #}
{% macro number_pattern() -%}
    [+-]?(([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?
{%- endmacro %}

{# Not a policy number but the warehouse's arithmetic: amounts are computed exactly as
   DECIMAL(38, 6) and scaled by 10^6 into 128-bit integers (macros/rewards.sql), which holds
   sums and products of values below 10^20 (10^20 万元, m², 亩 or tce is no delivered value). #}
{% macro number_magnitude_limit() -%}1e20{%- endmacro %}

{% macro finite_or_null(number) -%}
    (case when isfinite({{ number }}) then {{ number }} end)
{%- endmacro %}

{# A whole number or NULL: read as a finite number first, so that '1.5' is not silently rounded
   to 2 (DuckDB's cast from text rounds) and '0x10' is not read as hexadecimal; out of the
   integer range is NULL too. #}
{% macro parse_int(col) -%}
    {{ int_of(clean_text(col)) }}
{%- endmacro %}

{% macro int_of(text) -%}
    {%- set number = decimal_of(text) -%}
    try_cast(case when {{ number }} = floor({{ number }}) then {{ number }} end as integer)
{%- endmacro %}

{#- Industry codes (GB/T 4754-2017) as statistics systems write them: with the 门类 letter
    (`C3825`), in lower case, with spaces inside or around, in full-width characters (what a
    Chinese input method types). normalise_industry_code makes them `C3825` / `3825`; a code is
    then an optional section letter and two to four digits, whose first two digits are a
    division of the rule table `industry_divisions` and whose letter, if any, is that division's
    section. parse_industry_code returns the digits of a valid code, else NULL. -#}
{% macro normalise_industry_code(col) -%}
    regexp_replace(upper({{ full_width_folded(col) }}), '[\s\x{3000}\x{00A0}]', '', 'g')
{%- endmacro %}

{# Full-width digits and Latin letters (what a Chinese input method types in its full-width mode)
   as their ASCII forms: `Ｃ３８２５` is `C3825`, a class `Ａ` is `A`. #}
{% macro full_width_folded(col) -%}
    translate({{ col }},
        '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ',
        '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')
{%- endmacro %}

{# The parts of a normalised code: section letter ('' when none), division (two digits), and
   the digits of the code; empty strings when the code is not shaped like one. #}
{% macro industry_code_parts(col) -%}
    regexp_extract({{ normalise_industry_code(col) }}, '^([A-Z]?)(([0-9]{2})[0-9]{0,2})$', ['section', 'code', 'division'])
{%- endmacro %}

{# The section (门类) of the division a code names, whatever its letter; NULL when the code is
   not shaped like one or its division is unknown. Tells a wrong letter from an unknown division. #}
{% macro industry_section_of(col) -%}
    (select d.section from {{ seed_rows_in_force('industry_divisions') }} d
      where d.division = struct_extract({{ industry_code_parts(col) }}, 'division'))
{%- endmacro %}

{# The division (大类) of a parsed industry code: its first two digits (GB/T 4754). #}
{% macro industry_division(code) -%}
    left({{ code }}, 2)
{%- endmacro %}

{% macro parse_industry_code(col) -%}
    (select p.parts.code from (select {{ industry_code_parts(col) }} as parts) p
      join {{ seed_rows_in_force('industry_divisions') }} d
        on d.division = p.parts.division and p.parts.section in ('', d.section))
{%- endmacro %}

{% macro parse_date(col) -%}
    {{ date_of(clean_text(col)) }}
{%- endmacro %}

{# A date is YYYY-MM-DD or YYYY/M/D with the year in four digits: DuckDB's %Y alone also reads
   `23-5-1` as the year 23 and `0-6-30` as 1 BC, dates no department means, which would put an
   event outside every data year without a word. #}
{% macro date_of(text) -%}
    (case when regexp_full_match({{ text }}, '[1-9][0-9]{3}-[0-9]{1,2}-[0-9]{1,2}|[1-9][0-9]{3}/[0-9]{1,2}/[0-9]{1,2}')
          then cast(try_strptime({{ text }}, ['%Y-%m-%d', '%Y/%m/%d']) as date) end)
{%- endmacro %}

{# Booleans: empty is false; an unknown label is NULL (and reported). #}
{% macro parse_bool(col) -%}
    {{ bool_of(clean_text(col)) }}
{%- endmacro %}

{% macro bool_of(text) -%}
    case when {{ text }} is null then false
         else (select b.value from {{ ref('boolean_labels') }} b where lower(b.label) = lower({{ text }})) end
{%- endmacro %}

{% macro parse_enum(col, enum_name) -%}
    {{ enum_code(col, "'" ~ enum_name ~ "'") }}
{%- endmacro %}

{% macro enum_code(col, enum_name_expr) -%}
    {{ enum_code_of(trim_cell(col), enum_name_expr) }}
{%- endmacro %}

{% macro enum_code_of(text, enum_name_expr) -%}
    (select e.code from {{ ref('enum_labels') }} e
      where e.enum_name = {{ enum_name_expr }} and lower(e.label) = lower({{ full_width_folded(text) }}))
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
