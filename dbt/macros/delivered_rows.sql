{# The delivered rows of one extract; the extracts themselves are listed in extract_list.sql,
   generated from data/seeds/extracts.csv. #}

{# Rows of the current delivery of one extract for this data year, as delivered. #}
{% macro current_rows(extract) -%}
    (select r.* from {{ source('raw', extract) }} r
      where r.load_id = (select l.load_id from {{ ref('validation_current_loads') }} l where l.extract = '{{ extract }}'))
{%- endmacro %}

{# Rows of the current delivery of one extract for this data year that passed validation. #}
{% macro accepted_rows(extract) -%}
    (select r.* from {{ current_rows(extract) }} r
      where not exists (select 1 from {{ ref('validation_quarantined_lines') }} q
                         where q.extract = '{{ extract }}' and q.load_id = r.load_id and q.line_number = r.line_number))
{%- endmacro %}
