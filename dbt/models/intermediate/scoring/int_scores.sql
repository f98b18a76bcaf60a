-- Scores (RULES §7): capped basic scores against the benchmarks, plus capped bonus, minus
-- capped penalty.
with basic as (
    select
        v.uscc,
        v.indicator,
        -- the ratio first: points × a huge (finite) value could overflow where value / benchmark does not
        least(p.basic_points * (v.value / b.value), p.cap_points) as score
    from {{ ref('int_indicator_values') }} v
    join {{ rules_in_force('indicator_points') }} p on p.scale = v.scale and p.indicator = v.indicator
    join {{ ref('int_benchmarks') }} b on b.indicator = v.indicator
),

basic_per_enterprise as (
    select
        uscc,
        sum(score) filter (where indicator = 'tax_per_mu') as tax_score,
        sum(score) filter (where indicator = 'output_per_mu') as output_score,
        sum(score) filter (where indicator = 'output_per_energy') as energy_score,
        sum(score) as basic_score
    from basic
    group by uscc
),

bonus as (select uscc, sum(points) as points from {{ ref('int_bonus_items') }} group by uscc),
penalty as (select uscc, sum(points) as points from {{ ref('int_penalty_items') }} group by uscc),

combined as (
    select
        i.*,
        s.tax_score,
        s.output_score,
        s.energy_score,
        s.basic_score,
        least(coalesce(bonus.points, 0), {{ rule_param('bonus_total_cap') }}) as bonus_score,
        least(coalesce(penalty.points, 0), {{ rule_param('penalty_total_cap') }}) as penalty_score
    from {{ ref('int_indicators') }} i
    join basic_per_enterprise s on s.uscc = i.uscc
    left join bonus on bonus.uscc = i.uscc
    left join penalty on penalty.uscc = i.uscc
)

select
    *,
    round(basic_score + bonus_score - penalty_score,
          cast({{ rule_param('total_score_digits') }} as integer)) as total_score
from combined
