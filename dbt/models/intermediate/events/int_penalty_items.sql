-- Penalty points per enterprise and item (减分项, RULES §7.2), events of the data year only
-- (int_events_in_year); the rule table says whether an item adds up over cases (pollution penalties) or counts once;
-- each item is capped (每项最高减分不超过2分).
with a as (select * from {{ ref('int_enterprise_attributes') }}),
points as (select * from {{ rules_in_force('penalty_points') }}),

events as (
    select uscc, event as item, level as criterion, event_id as evidence
    from {{ ref('int_events_in_year') }}
    where event in ('safety_accident', 'pollution_penalty')
    union all
    select uscc, 'tax_credit_d', 'yes', null from a where credit_rating_d
    union all
    select uscc, 'land_violation', 'yes', event_id
    from {{ ref('int_events_in_year') }}
    where event = 'land_violation'
    union all
    select uscc, 'blacklist', 'yes', null from a where blacklisted
)

select
    a.uscc,
    e.item,
    least(case when any_value(i.aggregation) = 'sum' then sum(p.points) else max(p.points) end,
          {{ rule_param('penalty_item_cap') }}) as points,
    string_agg(coalesce(e.evidence, e.criterion), ';' order by e.evidence) as evidence
from a
join events e on e.uscc = a.uscc
join points p on p.item = e.item and p.criterion = e.criterion
join {{ ref('score_items') }} i on i.kind = 'penalty' and i.item = e.item
group by a.uscc, e.item
