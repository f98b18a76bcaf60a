-- Cells that break the data contract: a required value missing, or a value its parser cannot
-- read. Each quarantines its line (see validation_quarantined_lines). Checked column by column on
-- the delivered rows (one branch per contract column that can fail), so that only failing
-- cells become rows: no unpivot of every delivered cell.
{{ depends_on_deliveries() }}
-- depends_on: {{ ref('enum_labels') }}, {{ ref('boolean_labels') }}, {{ ref('industry_divisions') }}
{%- set contract = contract_columns() %}
{%- set branches = [] %}
{%- for extract in raw_extracts() %}
    {%- for column in contract.get(extract, []) if column['value_required'] or column['value_type'] != 'text' %}
        {%- do branches.append((extract, column)) %}
    {%- endfor %}
{%- endfor %}

{%- for extract, column in branches %}
select '{{ extract }}' as extract, source_file, load_id, line_number,
       upper({{ trim_cell('about') }}) as row_uscc, '{{ column['column_name'] }}' as column_name,
       coalesce(delivered, '') as value, check_name
from (
    select *, {{ cell_check('cell', column) }} as check_name
    from (
        select source_file, load_id, line_number, {{ about_column(extract, contract[extract]) }} as about,
               {{ column['column_name'] }} as delivered, {{ cell_as_checked(column['column_name'], column) }} as cell
        from {{ current_rows(extract) }}
    )
)
-- only the failing cells are given their enterprise and value
where check_name is not null
{% if not loop.last %}union all{% endif %}
{%- else %}
{#- while dbt parses, the contract is not read yet -#}
select null::varchar as "extract", null::varchar as "source_file", null::varchar as "load_id", null::bigint as "line_number", null::varchar as "row_uscc", null::varchar as "column_name", null::varchar as "value", null::varchar as "check_name" where false
{%- endfor %}
