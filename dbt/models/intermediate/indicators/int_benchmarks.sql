-- Benchmarks (基准值, RULES §6): the mean of each indicator over evaluated above-scale
-- enterprises with gross output at or above the threshold. A missing or non-positive
-- benchmark stops the run: every score would be meaningless.
with indicators as (
    select distinct indicator from {{ rules_in_force('indicator_points') }}
),

means as (
    select indicator, avg(value) as value, count(*) as population
    from {{ ref('int_indicator_values') }}
    where scale = 'above' and gross_output >= {{ rule_param('benchmark_min_gross_output') }}
    group by indicator
)

select
    indicators.indicator,
    case when means.value > 0 then means.value
         else error('基准值缺失或不大于0：' || indicators.indicator
                    || '（样本企业数 ' || coalesce(means.population, 0)
                    || '）/ Benchmark missing or not positive: ' || indicators.indicator)
    end as value,
    coalesce(means.population, 0) as population
from indicators
left join means on means.indicator = indicators.indicator
