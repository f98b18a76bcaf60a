-- The evaluation population: every enterprise of the statistics extract, with its scope.
-- Enterprises delivered on several lines stay listed (blocked) instead of disappearing.
with delivered as (
    select *, false as statistics_duplicate from {{ ref('stg_statistics__enterprises') }}
    union all by name
    select *, true as statistics_duplicate from {{ ref('stg_statistics__duplicate_enterprises') }}
)

select
    {{ data_year() }} as data_year,
    delivered.* exclude (data_year),
    division.name_zh as industry_division_name,
    coalesce(division.in_scope, false) as in_scope
from delivered
left join {{ rules_in_force('industry_divisions') }} division
  on starts_with(delivered.industry_code, division.division)
