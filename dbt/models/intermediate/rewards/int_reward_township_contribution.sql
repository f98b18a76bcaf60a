-- 乡镇产值贡献奖 (REWARDS §4), one row per township named in the monthly extract (even when all
-- its lines were quarantined). Annual output Y and previous P are the sums of the accepted
-- months; a township without every month of the year (a month missing, or quarantined for
-- lacking its previous-year value) is `incomplete`. The band is chosen by Y; the award needs
-- the annual growth and net increase at least the band's minimums and more than `months_over`
-- months whose own growth reaches the band's monthly rate (which may differ from the annual
-- rate: Decision, both kept in reward_township_bands). Steps as in band_steps.
with delivered as (
    select {{ clean_text('township') }} as township, min(line_number) as first_line, any_value(source_file) as source_file
    from {{ current_rows('township_monthly_output') }}
    where {{ clean_text('township') }} is not null
    group by 1
),

months as (
    select
        township, month, output, output_prev,
        {{ ratio_in_units('output - output_prev', 'output_prev') }} as growth_units
    from {{ ref('stg_statistics__township_monthly_output') }}
),

totals as (
    select
        d.township, d.first_line, d.source_file,
        count(distinct m.month) as months_delivered,
        sum(m.output) as output,
        sum(m.output_prev) as output_prev,
        sum(m.output) - sum(m.output_prev) as net
    from delivered d
    left join months m on m.township = d.township
    group by all
),

figures as (
    select
        t.*,
        {{ ratio_in_units('t.net', 't.output_prev') }} as growth_units,
        t.months_delivered >= {{ reward_param('township_months_required') }} as complete
    from totals t
),

banded as (
    select
        f.*,
        b.band, b.growth_min, b.net_min, b.monthly_rate, b.months_over,
        (select count(*) from months m
          where m.township = f.township and m.growth_units >= {{ rate_in_units('b.monthly_rate') }}) as months_met,
        f.growth_units >= {{ rate_in_units('b.growth_min') }} and f.net >= b.net_min as annual_met,
        {{ band_steps('b', 'f.net', 'f.growth_units') }} as steps,
        {{ band_amount('b', band_steps('b', 'f.net', 'f.growth_units')) }} as band_amount
    from figures f
    left join {{ rules_in_force('reward_township_bands') }} b on f.complete and {{ in_band('f.output', 'b') }}
),

assessed as (
    select
        *,
        case when not complete then 'incomplete'
             when band is not null and annual_met and months_met > months_over then 'granted'
             else 'not_met' end as status
    from banded
)

select
    township, first_line, source_file, months_delivered,
    band,
    output, output_prev, net,
    {{ units_as_rate('growth_units') }} as growth,
    case when band is not null then months_met end as months_met,
    case when status = 'granted' then band_amount else 0 end as amount,
    status,
    case status
        when 'incomplete' then {{ fill(reason_text('township_incomplete'), {
            'months': 'months_delivered', 'required': num_text(reward_param('township_months_required'))}) }}
        when 'not_met' then case when band is null then {{ fill(reason_text('township_no_band'), {'output': num_text('output')}) }}
            else {{ fill(reason_text('township_not_met'), {
                'band': 'band', 'growth': growth_text('growth_units'), 'growth_min': pct_text(rate_in_units('growth_min')),
                'net': num_text('net'), 'net_min': num_text('net_min'), 'months': 'months_met',
                'monthly_rate': pct_text(rate_in_units('monthly_rate')), 'months_over': 'months_over'}) }} end
    end as reason,
    case when status = 'granted' then {{ fill(item_basis('township_contribution'), {
        'output': num_text('output'), 'prev': num_text('output_prev'), 'growth': pct_text('growth_units'),
        'net': num_text('net'), 'months': 'months_met', 'monthly_rate': pct_text(rate_in_units('monthly_rate')),
        'band': 'band', 'steps': 'steps'}) }} end as basis
from assessed
