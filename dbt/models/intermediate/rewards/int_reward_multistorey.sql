-- 工业上楼补助 (REWARDS §5): buildings completed in the data year, confirmed by the 开发区 as
-- fitting the chain and the zone's lead industries, with plot ratio, density and floor area at
-- least the minimums (不低于); per m² of the third floor and of the floors above it, in 元,
-- turned into 万元. The enterprise's total over all data years is capped: this year's amount is
-- at most the cap minus what the project granted in earlier years (Decision:
-- multistorey_cap_cumulative; 0 applies the cap to each year alone).
with buildings as (
    select
        b.*,
        (b.floor3_area_m2 * {{ reward_param('multistorey_floor3_yuan_per_m2') }}
         + b.floor4_up_area_m2 * {{ reward_param('multistorey_floor4_up_yuan_per_m2') }}) * {{ wan_per_yuan() }} as amount
    from {{ ref('stg_development_zone__multistorey_buildings') }} b
    join {{ ref('int_reward_enterprises') }} e on e.uscc = b.uscc
    where year(b.completed_on) = {{ data_year() }}
      and b.project_eligible
      and b.plot_ratio >= {{ reward_param('multistorey_plot_ratio_min') }}
      and b.building_density_pct >= {{ reward_param('multistorey_density_min_pct') }}
      and b.floor_area_m2 >= {{ reward_param('multistorey_floor_area_min_m2') }}
),

per_enterprise as (
    select
        uscc,
        sum(amount) as total,
        string_agg({{ fill(item_basis('multistorey', 'detail_zh'), {
            'building': 'building_id', 'completed': 'completed_on', 'plot_ratio': num_text('plot_ratio'),
            'density': num_text('building_density_pct'), 'area': num_text('floor_area_m2'),
            'floor3': num_text('floor3_area_m2'), 'floor4': num_text('floor4_up_area_m2'),
            'amount': num_text('amount')}) }}, '；' order by completed_on, building_id) as buildings
    from buildings
    group by uscc
    -- a building without a third or higher floor earns nothing: no row
    having sum(amount) > 0
),

capped as (
    select
        p.*,
        {{ reward_param('multistorey_cap') }} as cap,
        coalesce(g.earlier_amount, 0) as earlier,
        greatest({{ reward_param('multistorey_cap') }}
                 - case when {{ reward_param('multistorey_cap_cumulative') }} = 1 then coalesce(g.earlier_amount, 0) else 0 end,
                 0) as remaining
    from per_enterprise p
    left join {{ ref('int_reward_earlier_grants') }} g on g.uscc = p.uscc and g.item = 'multistorey'
)

select
    uscc,
    'multistorey' as item,
    {{ round_amount('least(total, remaining)') }} as amount,
    {{ fill(item_basis('multistorey'), {'buildings': 'buildings', 'total': num_text('total')}) }} as basis,
    case when total > remaining then
        {{ fill(reason_text('multistorey_capped'), {
            'cap': num_text('cap'), 'earlier': num_text('earlier'), 'amount': num_text('least(total, remaining)')}) }}
    end as reason
from capped
