-- The evaluation population: every enterprise of the statistics extract, with its scope.
-- Enterprises whose statistics lines are quarantined (duplicates, an invalid cell) stay listed
-- (blocked, RULES §4) instead of disappearing: `statistics_issue` says why.
with delivered as (
    select *, null::varchar as statistics_issue from {{ ref('stg_statistics__enterprises') }}
    union all by name
    select * exclude (problem_columns) from {{ ref('stg_statistics__quarantined_enterprises') }}
)

select
    {{ data_year() }} as data_year,
    delivered.* exclude (data_year),
    division.name_zh as industry_division_name,
    coalesce(division.in_scope, false) as in_scope
from delivered
-- industry codes are normalised digits (see parse_industry_code)
left join {{ rules_in_force('industry_divisions') }} division
  on division.division = {{ industry_division('delivered.industry_code') }}
