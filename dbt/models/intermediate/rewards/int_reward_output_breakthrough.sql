-- 产值突破奖 (REWARDS §2): this year's output is strictly over a threshold (超过) that no known
-- earlier output exceeded: a first crossing. Decisions (reward_parameters): without
-- gross_output_prev no first crossing can be shown (breakthrough_requires_prev); of several
-- thresholds first crossed in one year only the highest is awarded (breakthrough_highest_only).
with thresholds as (select * from {{ rules_in_force('reward_breakthrough') }}),

earlier as (
    select uscc, max(gross_output) as earlier_max
    from {{ ref('int_reward_output_history') }}
    group by uscc
),

crossed as (
    select e.uscc, e.gross_output, e.gross_output_prev, h.earlier_max, t.output_over, t.amount
    from {{ ref('int_reward_enterprises') }} e
    join thresholds t on e.gross_output > t.output_over
    left join earlier h on h.uscc = e.uscc
    where coalesce(h.earlier_max, t.output_over) <= t.output_over
      and (e.gross_output_prev is not null or {{ reward_param('breakthrough_requires_prev') }} = 0)
),

awarded as (
    select
        uscc,
        any_value(gross_output) as gross_output,
        any_value(gross_output_prev) as gross_output_prev,
        any_value(earlier_max) as earlier_max,
        max(output_over) as highest_threshold,
        string_agg({{ num_text('output_over') }}, '、' order by output_over desc) as crossed,
        case when {{ reward_param('breakthrough_highest_only') }} = 1 then arg_max(amount, output_over)
             else sum(amount) end as amount
    from crossed
    group by uscc
)

select
    uscc,
    'output_breakthrough' as item,
    amount,
    {{ fill(item_basis('output_breakthrough'), {
        'output': num_text('gross_output'), 'prev': num_text('gross_output_prev'),
        'earlier': num_text('earlier_max'), 'crossed': 'crossed', 'threshold': num_text('highest_threshold')}) }} as basis,
    null::varchar as reason
from awarded
