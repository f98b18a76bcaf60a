-- Every delivered cell of the current deliveries, one row per (file line, column), with the
-- contract's expectation for that column. Validation runs on this one shape for all extracts.

with cells as (
{% for extract in raw_extracts() %}
    {#- the enterprise a line is about: its uscc column, or for leases the lessee -#}
    {%- set about = 'uscc' if extract != 'land_leases' else 'lessee_uscc' %}
    select '{{ extract }}' as extract, load_id, line_number, upper(trim(about)) as row_uscc, column_name, value
    from (
        unpivot (
            select load_id, line_number, {{ about }} as about,
                   coalesce(columns(* exclude (data_year, load_id, source_file, sha256, line_number, loaded_at)), '')
            from {{ source('raw', extract) }}
            where load_id = (select load_id from {{ ref('stg_raw__current_loads') }} where extract = '{{ extract }}')
        )
        on columns(* exclude (load_id, line_number, about))
        into name column_name value value
    )
    {% if not loop.last %}union all{% endif %}
{% endfor %}
)

select
    cells.extract,
    loads.source_file,
    cells.load_id,
    cells.line_number,
    cells.row_uscc,
    cells.column_name,
    cells.value,
    contract.value_type,
    contract.enum_name,
    contract.value_required,
    -- checked once here, used by the cell errors and the duplicate keys
    case when contract.value_type = 'uscc' then {{ uscc_is_valid('upper(trim(cells.value))') }} end as uscc_valid
from cells
join {{ ref('stg_raw__current_loads') }} loads on loads.extract = cells.extract
join {{ ref('extract_columns') }} contract
  on contract.extract = cells.extract and contract.column_name = cells.column_name
