{#- Arithmetic of the 附件2 rewards (REWARDS.md). Thresholds and steps are decided in exact
    numbers: amounts are DECIMAL(38,6) (1 元 = 0.0001 万元 fits with room to spare), rates are
    integers in units of the last kept digit (basis points when rate_digits = 4), and step counts
    are integer divisions, so that no binary floating-point error decides a step or a threshold. -#}

{# One numeric parameter of the rewards rule table (reward_parameters) in force this data year. #}
{% macro reward_param(name) -%}
    (select value from {{ rules_in_force('reward_parameters') }} p where p.parameter = '{{ name }}')
{%- endmacro %}

{# A delivered amount as an exact decimal (NULL when it is not a finite number). #}
{% macro as_amount(expr) -%}
    try_cast({{ expr }} as {{ amount_type() }})
{%- endmacro %}

{# An amount of as_amount as an integer count of its smallest unit (exact: the scale is 6). #}
{% macro amount_scaled(expr) -%}
    cast(cast({{ expr }} as {{ amount_type() }}) * 1000000 as hugeint)
{%- endmacro %}

{# How many units make 1 in rate arithmetic: 10^rate_digits (10000: basis points). #}
{% macro rate_unit() -%}
    cast(power(10, {{ rule_param('rate_digits') }}) as hugeint)
{%- endmacro %}

{# A rule's rate (e.g. 0.10) in rate units (1000 basis points). #}
{% macro rate_in_units(rate) -%}
    cast(round({{ rate }} * {{ rate_unit() }}) as hugeint)
{%- endmacro %}

{# num / den rounded half away from zero to rate_digits, in rate units, computed in integers
   (the rate is rounded before any comparison, RULES §7.1). NULL unless den > 0. #}
{% macro ratio_in_units(num, den) -%}
    case when {{ den }} > 0 then
        sign({{ amount_scaled(num) }})
        * ((2 * abs({{ amount_scaled(num) }}) * {{ rate_unit() }} + {{ amount_scaled(den) }}) // (2 * {{ amount_scaled(den) }}))
    end
{%- endmacro %}

{# A value in rate units as a plain rate for people and files (0.5625). #}
{% macro units_as_rate(units) -%}
    (cast({{ units }} as double) / {{ rate_unit() }})
{%- endmacro %}

{# Is `value` inside the band row `b` (lower/upper bound, each included or not, NULL = open)? #}
{% macro in_band(value, b) -%}
    (({{ b }}.output_from is null or {{ value }} > {{ b }}.output_from or ({{ b }}.from_inclusive and {{ value }} = {{ b }}.output_from))
     and ({{ b }}.output_to is null or {{ value }} < {{ b }}.output_to or (coalesce({{ b }}.to_inclusive, false) and {{ value }} = {{ b }}.output_to)))
{%- endmacro %}

{# Steps beyond a band's minimum: by net increase, by growth, or only as far as both have grown
   (step_basis of the band row `b`). Only called where both minima are met (non-negative). #}
{% macro band_steps(b, net, growth_units) -%}
    case {{ b }}.step_basis
        when 'net' then ({{ amount_scaled(net) }} - {{ amount_scaled(b ~ '.net_min') }}) // {{ amount_scaled(b ~ '.net_step') }}
        when 'growth' then ({{ growth_units }} - {{ rate_in_units(b ~ '.growth_min') }}) // {{ rate_in_units(b ~ '.growth_step') }}
        when 'both' then least(
            ({{ amount_scaled(net) }} - {{ amount_scaled(b ~ '.net_min') }}) // {{ amount_scaled(b ~ '.net_step') }},
            ({{ growth_units }} - {{ rate_in_units(b ~ '.growth_min') }}) // {{ rate_in_units(b ~ '.growth_step') }})
    end
{%- endmacro %}

{# The reward of a band: base + steps × added, capped. #}
{% macro band_amount(b, steps) -%}
    least({{ b }}.base + cast({{ steps }} as decimal(38, 0)) * {{ b }}.added, {{ b }}.cap)
{%- endmacro %}

{# Digits amounts are rounded to (reward_parameters.amount_digits), as a constant: DuckDB rounds
   decimals exactly, half away from zero, only to a constant precision. #}
{% macro reward_amount_digits() -%}
    {#- ref() first, outside the branch, so that dbt records the dependency at parse time -#}
    {%- set relation = ref('reward_parameters') -%}
    {%- if execute -%}
        {%- set rows = run_query("select cast(value as integer) from " ~ relation
                                 ~ " where parameter = 'amount_digits' and " ~ in_force(data_year())) -%}
        {%- if rows | length != 1 -%}
            {{ exceptions.raise_compiler_error("reward_parameters: amount_digits must have exactly one row in force for " ~ data_year()) }}
        {%- endif -%}
        {{ return(rows[0][0]) }}
    {%- endif -%}
    {{ return(0) }}
{%- endmacro %}

{% macro round_amount(expr) -%}
    round(cast({{ expr }} as decimal(38, 12)), {{ reward_amount_digits() }})
{%- endmacro %}

{# 万元 per 元: amounts in yuan (工业上楼 per m²) become 万元 exactly (a unit, not a rule). #}
{% macro wan_per_yuan() -%}0.0001{%- endmacro %}

{# A number as short text in a basis string (no trailing zeros: 52000, 1.5, 0.5). #}
{% macro num_text(expr) -%}
    rtrim(rtrim(cast(cast({{ expr }} as decimal(38, 4)) as varchar), '0'), '.')
{%- endmacro %}

{# A rate as a percentage with two decimals for a basis string (15.56%). #}
{% macro pct_text(units) -%}
    printf('%.2f%%', {{ units_as_rate(units) }} * 100)
{%- endmacro %}

{# A growth in words: a percentage, or why there is none (no previous output to grow from). #}
{% macro growth_text(units) -%}
    coalesce({{ pct_text(units) }}, {{ reason_text('growth_not_computable') }})
{%- endmacro %}

{# A wording template of the rule tables (reward_items.basis_zh, reward_reasons.text_zh) with its
   {placeholders} filled from SQL expressions: fill(template, {'output': 'e.gross_output'}). #}
{% macro fill(template, values) -%}
    {%- set ns = namespace(sql=template) -%}
    {%- for key, expr in values.items() -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '{" ~ key ~ "}', coalesce(cast(" ~ expr ~ " as varchar), ''))" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}

{# The wording of one reward item or reason, as a scalar subquery. #}
{% macro item_basis(item, column='basis_zh') -%}
    (select i.{{ column }} from {{ ref('reward_items') }} i where i.item = '{{ item }}')
{%- endmacro %}

{% macro reason_text(reason) -%}
    (select r.text_zh from {{ ref('reward_reasons') }} r where r.reason = '{{ reason }}')
{%- endmacro %}

{# The Chinese label of an enum code (the first label that is not the code itself). #}
{% macro enum_label_zh(code, enum_name) -%}
    (select min(e.label) from {{ ref('enum_labels') }} e
      where e.enum_name = '{{ enum_name }}' and e.code = {{ code }} and lower(e.label) <> lower(e.code))
{%- endmacro %}

{# The column type of amounts in 万元 (exact; see as_amount). #}
{% macro amount_type() -%}decimal(38, 6){%- endmacro %}
