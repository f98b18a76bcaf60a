-- The decisions of the run that evaluated this data year (dbt vars), checked against their
-- allowed values: outputs and prose read them here, not from the run's configuration.
select
    {{ data_year() }} as data_year,
    {{ cutoff_date() }} as cutoff,
    '{{ decision("benchmark_method", ["mean_of_ratios", "ratio_of_sums"]) }}' as benchmark_method,
    '{{ decision("ranking_groups", ["scale", "all"]) }}' as ranking_groups
