-- Bonus points per enterprise and item: the rule table says whether an item counts its best
-- level (honours, quality awards) or adds up (R&D criteria, standards); every item is capped
-- (每项最高加分不超过2分).
select
    c.uscc,
    c.item,
    least(
        case when any_value(i.aggregation) = 'sum' then sum(c.points) else max(c.points) end,
        {{ rule_param('bonus_item_cap') }}
    ) as points,
    string_agg(coalesce(c.evidence, c.criterion), ';' order by c.criterion) as criteria
from {{ ref('int_bonus_criteria_met') }} c
join {{ ref('score_items') }} i on i.kind = 'bonus' and i.item = c.item
group by c.uscc, c.item
