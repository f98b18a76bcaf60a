-- 附件2 enterprise rewards of the data year: one row per enterprise and item it qualifies for
-- (REWARDS §7). An item also funded by a higher level in the same year is `excluded` with
-- amount 0 and the funding named in `reason`. An enterprise may receive several items in one
-- year, each at most once (every award model yields one row per enterprise and item).
with awards as (
    select * from {{ ref('int_reward_output_breakthrough') }}
    union all select * from {{ ref('int_reward_output_growth') }}
    union all select * from {{ ref('int_reward_specialized') }}
    union all select * from {{ ref('int_reward_digital') }}
    union all select * from {{ ref('int_reward_multistorey') }}
)

select
    {{ data_year() }} as data_year,
    a.uscc,
    e.name,
    e.township,
    e.line_number,
    a.item,
    i.label_zh as item_zh,
    i.position as item_position,
    -- amounts to 1 元 (reward_parameters.amount_digits), whatever the rule tables' precision
    cast({{ round_amount('a.amount') }} as {{ amount_type() }}) as assessed_amount,
    cast(case when f.uscc is null then {{ round_amount('a.amount') }} else 0 end as {{ amount_type() }}) as amount,
    case when f.uscc is null then 'granted' else 'excluded' end as status,
    coalesce(f.reason, a.reason) as reason,
    a.basis,
    f.funded_amount as higher_level_amount,
    {{ run_id() }} as run_id
from awards a
join {{ ref('int_reward_enterprises') }} e on e.uscc = a.uscc
join {{ ref('reward_items') }} i on i.item = a.item
left join {{ ref('int_reward_double_funding') }} f on f.uscc = a.uscc and f.item = a.item
