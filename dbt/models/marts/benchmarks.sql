-- 基准值: the benchmark of each indicator and the number of enterprises it is the mean of.
select {{ data_year() }} as data_year, indicator, value, population
from {{ ref('int_benchmarks') }}
