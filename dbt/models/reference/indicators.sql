-- The basic indicators in their order, with their label, unit and score column (the one
-- indicator → score-column map), per data year.
select
    {{ data_year() }} as data_year,
    i.indicator,
    i.score_column,
    i.position,
    i.formula_zh,
    l.label_zh,
    l.unit_zh
from {{ ref('indicator_scores') }} i
join {{ ref('code_labels') }} l on l.domain = 'indicator' and l.code = i.indicator
