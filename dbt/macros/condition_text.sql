{#- Why an adjustment condition holds, in words: the label of `code` in the adjustment_condition
    domain of the reference layer (data/seeds/code_labels.csv; rule numbers already filled in),
    with each {name} of `values` replaced by its SQL expression, as text. -#}
{% macro condition_text(code, values={}) -%}
    {%- set texts = ["(select l.label_zh from " ~ ref('labels') ~ " l where l.data_year = " ~ data_year()
                     ~ " and l.domain = 'adjustment_condition' and l.code = '" ~ code ~ "')"] -%}
    {%- for name, expression in values.items() -%}
        {%- do texts.append("replace(" ~ texts[-1] ~ ", '{" ~ name ~ "}', cast(" ~ expression ~ " as varchar))") -%}
    {%- endfor -%}
    {{ texts[-1] }}
{%- endmacro %}

{#- The label of a code of another domain in the reference layer (to fill a placeholder with). -#}
{% macro label_of(domain, code) -%}
    (select l.label_zh from {{ ref('labels') }} l where l.data_year = {{ data_year() }} and l.domain = '{{ domain }}' and l.code = '{{ code }}')
{%- endmacro %}
