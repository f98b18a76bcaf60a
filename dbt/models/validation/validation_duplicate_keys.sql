-- Lines of one-row-per-enterprise extracts whose (valid) USCC appears more than once in the
-- same delivery: all such lines are quarantined, none is picked silently.
{{ depends_on_deliveries() }}
{%- set extracts = one_row_extracts() %}

{%- for extract in extracts %}
select * from (
    select '{{ extract }}' as extract, source_file, load_id, line_number, upper({{ trim_cell('uscc') }}) as row_uscc,
           'uscc' as column_name, coalesce(uscc, '') as value, 'uscc_duplicate' as check_name
    from {{ current_rows(extract) }}
    qualify count(*) over (partition by upper({{ trim_cell('uscc') }})) > 1
)
-- validity depends on the code alone, so it is checked on the repeated codes only
where {{ uscc_is_valid('row_uscc') }}
{% if not loop.last %}union all{% endif %}
{%- else %}
select null::varchar as extract, null::varchar as source_file, null::varchar as load_id, null::bigint as line_number,
       null::varchar as row_uscc, null::varchar as column_name, null::varchar as value, null::varchar as check_name
where false
{%- endfor %}
