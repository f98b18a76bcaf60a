-- 附件2 乡镇产值贡献奖 of the data year: one row per township of the monthly extract (REWARDS §7),
-- `granted`, `not_met` or `incomplete`, with the figures and the reason.
select
    {{ data_year() }} as data_year,
    township,
    first_line,
    band,
    output,
    output_prev,
    net,
    growth,
    months_delivered,
    months_met,
    cast({{ round_amount('amount') }} as {{ amount_type() }}) as amount,
    status,
    reason,
    basis,
    {{ run_id() }} as run_id
from {{ ref('int_reward_township_contribution') }}
