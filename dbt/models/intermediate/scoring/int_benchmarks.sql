-- Benchmarks (基准值, RULES §6) over evaluated above-scale enterprises with gross output at or
-- above the threshold: by default the mean of their indicator values ("该指标平均值"); the run
-- may choose the ratio of the sums instead. A benchmark that is missing, not a finite number or
-- not positive is kept as computed here and caught by the test `benchmark_usable`
-- (dbt/tests/benchmark_usable.sql): `dbt build` then skips everything downstream, so nothing is
-- scored against it, and the Dagster asset reports it as a typed failure.
{% set method = decision('benchmark_method', ['mean_of_ratios', 'ratio_of_sums']) %}

with indicators as (
    select distinct indicator from {{ rules_in_force('indicator_points') }}
),

population as (
    select * from {{ ref('int_indicators') }}
    where scale = 'above' and gross_output >= {{ rule_param('benchmark_min_gross_output') }}
),

-- referenced whichever the method, so that the dependency graph does not depend on a run option
indicator_values as (select * from {{ ref('int_indicator_values') }}),  -- noqa: ST03

-- Sums of doubles are added in sorted order (exact_sum), not in the order the threads happen to
-- meet the rows: the same deliveries give the same benchmark to the last digit, every run.
benchmarks as (
{% if method == 'mean_of_ratios' %}
    select v.indicator, {{ exact_sum('v.value') }} / count(*) as value, count(*) as population
    from indicator_values v
    join population p on p.uscc = v.uscc
    group by v.indicator
{% else %}
    select 'tax_per_mu' as indicator, {{ exact_sum('tax_used') }} / {{ exact_sum('land_mu') }} as value, count(*) as population
    from population
    union all
    select 'output_per_mu', {{ exact_sum('gross_output') }} / {{ exact_sum('land_mu') }}, count(*) from population
    union all
    select 'output_per_energy', {{ exact_sum('gross_output') }} / {{ exact_sum('energy_tce') }}, count(*) from population
{% endif %}
)

select
    indicators.indicator,
    benchmarks.value,
    coalesce(benchmarks.population, 0) as population
from indicators
left join benchmarks on benchmarks.indicator = indicators.indicator
