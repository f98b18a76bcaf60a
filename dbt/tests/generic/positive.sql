{# Positive and finite: NaN > 0 is true in DuckDB, so finiteness is checked too. #}
{% test positive(model, column_name) %}
select * from {{ model }} where not (isfinite({{ column_name }}) and {{ column_name }} > 0)
{% endtest %}
