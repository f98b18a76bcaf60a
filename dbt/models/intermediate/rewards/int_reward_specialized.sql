-- 专精特新一次性奖励 (REWARDS §5): recognised at a rewarded level (reward_specialized, 省级) in
-- the data year itself ("被认定为本年度…").
select
    s.uscc,
    'specialized_award' as item,
    r.amount,
    {{ fill(item_basis('specialized_award'), {
        'level': enum_label_zh('s.specialized', 'specialized'), 'year': 's.specialized_year'}) }} as basis,
    null::varchar as reason
from {{ ref('stg_industry_it__specialized_recognition') }} s
join {{ rules_in_force('reward_specialized') }} r on r.specialized = s.specialized
join {{ ref('int_reward_enterprises') }} e on e.uscc = s.uscc
where s.specialized_year = {{ data_year() }}
