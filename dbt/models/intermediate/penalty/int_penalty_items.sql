-- Penalty points per enterprise and item (减分项, RULES §7.2), events of the data year only;
-- the rule table says whether an item adds up over cases (pollution penalties) or counts once;
-- each item is capped (每项最高减分不超过2分).
with a as (select * from {{ ref('int_enterprise_attributes') }}),
points as (select * from {{ rules_in_force('penalty_points') }}),

events as (
    select s.uscc, 'safety_accident' as item, s.level as criterion, s.accident_id as evidence
    from {{ ref('stg_emergency__safety_accidents') }} s
    where year(s.occurred_on) = {{ data_year() }}
    union all
    select c.uscc, 'pollution_penalty', c.level, c.case_id
    from {{ ref('stg_environment__cases') }} c
    where c.kind = 'pollution_penalty' and year(c.occurred_on) = {{ data_year() }}
    union all
    select uscc, 'tax_credit_d', 'yes', null from a where credit_rating_d
    union all
    select v.uscc, 'land_violation', 'yes', v.case_id
    from {{ ref('stg_natural_resources__land_violations') }} v
    where year(v.discovered_on) = {{ data_year() }}
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
