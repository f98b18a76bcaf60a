{# The sum of a double column independent of the order the rows arrive in: DuckDB adds the values
   of a parallel aggregate in whatever order its threads meet them, so the last digit of sum() and
   avg() can differ between two runs over the same rows. Sorted first, the addition is one order. #}
{% macro exact_sum(expression) -%}
    list_sum(list_sort(list({{ expression }})))
{%- endmacro %}
