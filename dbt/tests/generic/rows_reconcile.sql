{# Every delivered row is either accepted or quarantined: nothing is lost. #}
{% test rows_reconcile(model) %}
select * from {{ model }} where rows_read <> rows_accepted + rows_quarantined
{% endtest %}
