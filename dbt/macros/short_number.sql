{#- A number as a label states it: at most four decimals, none that are zero (10, 12.5, 0.02). -#}
{% macro short_number(expression) -%}
    rtrim(rtrim(printf('%.4f', cast({{ expression }} as double)), '0'), '.')
{%- endmacro %}
