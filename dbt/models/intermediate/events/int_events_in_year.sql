-- Dated events of the data year, in one place: safety accidents, environment cases (pollution
-- penalties, missed emission targets) and illegal land use. The penalty items and the conduct
-- conditions of the adjustment rules both read them, so that "in the data year" is decided once.
select uscc, 'safety_accident' as event, level, accident_id as event_id
from {{ ref('stg_emergency__safety_accidents') }}
where year(occurred_on) = {{ data_year() }}
union all
select uscc, kind, level, case_id
from {{ ref('stg_environment__cases') }}
where year(occurred_on) = {{ data_year() }}
union all
select uscc, 'land_violation', null, case_id
from {{ ref('stg_natural_resources__land_violations') }}
where year(discovered_on) = {{ data_year() }}
