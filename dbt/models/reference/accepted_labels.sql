-- The spellings a department may deliver for an enum or boolean code (case-insensitive), per data year.
select {{ data_year() }} as data_year, enum_name, code, label from {{ ref('enum_labels') }}
union all
select {{ data_year() }}, 'bool', cast(value as varchar), label from {{ ref('boolean_labels') }}
