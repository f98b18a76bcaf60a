-- 产值增长奖 (REWARDS §3): growth and net increase of the annual output against the previous
-- year (needs gross_output_prev > 0). The band is chosen by this year's output; bands are
-- exclusive (Decision, reward_parameters.growth_bands_exclusive: 0 lets every band whose lower
-- bound is met compete, the larger amount winning). Steps are counted in integers
-- (band_steps): per further net increase, or only as far as growth and net increase have both
-- grown (step_basis = both, the Decision for band 3).
with bands as (select * from {{ rules_in_force('reward_growth_bands') }}),

figures as (
    select
        uscc, gross_output, gross_output_prev,
        gross_output - gross_output_prev as net,
        {{ ratio_in_units('gross_output - gross_output_prev', 'gross_output_prev') }} as growth_units
    from {{ ref('int_reward_enterprises') }}
    where gross_output is not null and gross_output_prev > 0
),

qualified as (
    select
        f.*, b.band,
        {{ band_steps('b', 'f.net', 'f.growth_units') }} as steps,
        {{ band_amount('b', band_steps('b', 'f.net', 'f.growth_units')) }} as amount
    from figures f
    join bands b
      on {{ in_band('f.gross_output', 'b') }}
      or ({{ reward_param('growth_bands_exclusive') }} = 0
          and (b.output_from is null or f.gross_output > b.output_from or (b.from_inclusive and f.gross_output = b.output_from)))
    where f.growth_units >= {{ rate_in_units('b.growth_min') }}
      and f.net >= b.net_min
    -- one amount per item and enterprise
    qualify row_number() over (partition by f.uscc order by amount desc, b.band asc) = 1
)

select
    uscc,
    'output_growth' as item,
    amount,
    {{ fill(item_basis('output_growth'), {
        'output': num_text('gross_output'), 'prev': num_text('gross_output_prev'),
        'growth': pct_text('growth_units'), 'net': num_text('net'), 'band': 'band', 'steps': 'steps'}) }} as basis,
    null::varchar as reason
from qualified
