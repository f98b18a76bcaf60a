-- 加分、减分明细: the points of each bonus and penalty item per enterprise, with the evidence.
select {{ data_year() }} as data_year, 'bonus' as kind, uscc, item, points, criteria as evidence
from {{ ref('int_bonus_items') }}
union all
select {{ data_year() }}, 'penalty', uscc, item, points, evidence
from {{ ref('int_penalty_items') }}
