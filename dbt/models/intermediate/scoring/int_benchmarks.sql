-- Benchmarks (基准值, RULES §6) over evaluated above-scale enterprises with gross output at or
-- above the threshold: by default the mean of their indicator values ("该指标平均值"); the run
-- may choose the ratio of the sums instead. A benchmark that is missing, not a finite number or
-- not positive stops the run before anything is scored: every score would be meaningless (and
-- NaN > 0 is true in DuckDB, so finiteness is checked first). evaluate.py recognises the
-- message by its English mark "Benchmark missing or not positive".
{% set method = decision('benchmark_method', ['mean_of_ratios', 'ratio_of_sums']) %}

with indicators as (
    select distinct indicator from {{ rules_in_force('indicator_points') }}
),

population as (
    select * from {{ ref('int_indicators') }}
    where scale = 'above' and gross_output >= {{ rule_param('benchmark_min_gross_output') }}
),

-- referenced whichever the method, so that the dependency graph does not depend on a run option
indicator_values as (select * from {{ ref('int_indicator_values') }}),

benchmarks as (
{% if method == 'mean_of_ratios' %}
    select v.indicator, avg(v.value) as value, count(*) as population
    from indicator_values v
    join population p on p.uscc = v.uscc
    group by v.indicator
{% else %}
    select 'tax_per_mu' as indicator, sum(tax_used) / sum(land_mu) as value, count(*) as population from population
    union all
    select 'output_per_mu', sum(gross_output) / sum(land_mu), count(*) from population
    union all
    select 'output_per_energy', sum(gross_output) / sum(energy_tce), count(*) from population
{% endif %}
)

select
    indicators.indicator,
    case when isfinite(benchmarks.value) and benchmarks.value > 0 then benchmarks.value
         else error('基准值缺失、不是有限数或不大于0：' || indicators.indicator
                    || '（样本企业数 ' || coalesce(benchmarks.population, 0)
                    || '，计算结果 ' || coalesce(cast(benchmarks.value as varchar), '无') || '）'
                    || '/ Benchmark missing or not positive (or not a finite number): ' || indicators.indicator
                    || ' (population ' || coalesce(benchmarks.population, 0)
                    || ', computed ' || coalesce(cast(benchmarks.value as varchar), 'none') || ')')
    end as value,
    coalesce(benchmarks.population, 0) as population
from indicators
left join benchmarks on benchmarks.indicator = indicators.indicator
