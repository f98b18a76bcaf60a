{#- A number as a label states it: at most four decimals, none that are zero (10, 12.5, 0.02). -#}
{% macro short_number(expression) -%}
    rtrim(rtrim(printf('%.4f', cast({{ expression }} as double)), '0'), '.')
{%- endmacro %}

{#- An amount in 万元 as a label states it: 亿元 from one 亿 (10000 万元) on (10000 → 1亿元, 500 → 500万元). -#}
{% macro amount_text(expression) -%}
    case when {{ expression }} >= 10000 then {{ short_number(expression ~ ' / 10000') }} || '亿元'
         else {{ short_number(expression) }} || '万元' end
{%- endmacro %}
