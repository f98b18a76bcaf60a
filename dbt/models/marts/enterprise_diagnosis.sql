-- 企业体检: for each evaluated enterprise, the next better class, the total score that class
-- needs today (the lowest score now inside it), and the 亩均税收 or 亩均产值 alone that would
-- close the gap at today's benchmarks (empty when the indicator's cap makes it impossible).
-- The next class is the one above both the class by rank and the final class: an enterprise
-- raised to B by a rule (protect_cd) is told what A needs, not what C needs; one ranked A but
-- lowered by a rule has no better class by score (the page says which rule holds it).
with c as (select * from {{ ref('int_classification') }}),
cutoffs as (select * from {{ rules_in_force('class_cutoffs') }}),
points as (select * from {{ rules_in_force('indicator_points') }}),
benchmarks as (select * from {{ ref('int_benchmarks') }}),

standing as (
    select c.uscc, min(mine.max_percent) as best_percent
    from c
    join cutoffs mine on mine.class in (c.percentile_class, c.final_class)
    group by c.uscc
),

next_class as (
    select s.uscc, arg_max(better.class, better.max_percent) as next_class
    from standing s
    join cutoffs better on better.max_percent < s.best_percent
    group by s.uscc
),

-- the lowest score inside each class of each ranking group, once (an enterprise is never in
-- the class above its own, so it need not be excluded)
class_floor as (
    select ranking_group, percentile_class, min(total_score) as min_score
    from c
    group by ranking_group, percentile_class
),

needed as (
    select n.uscc, n.next_class, f.min_score as next_class_min_score
    from next_class n
    join c self on self.uscc = n.uscc
    join class_floor f on f.ranking_group = self.ranking_group and f.percentile_class = n.next_class
),

gaps as (
    select c.*, needed.next_class, needed.next_class_min_score,
           case when needed.next_class is not null
                then greatest(needed.next_class_min_score - c.total_score, 0) end as score_gap
    from c
    left join needed on needed.uscc = c.uscc
)

select
    {{ data_year() }} as data_year,
    g.uscc,
    g.percentile_class,
    g.final_class,
    g.next_class,
    g.next_class_min_score,
    g.score_gap,
    -- the share of the points first (at most the cap ratio), then the benchmark: a huge benchmark
    -- times a score could overflow to inf, which no workbook can hold
    case when g.tax_score + g.score_gap <= tp.cap_points
         then {{ finite_or_null('(g.tax_score + g.score_gap) / tp.basic_points * bt.value') }} end as tax_per_mu_needed,
    case when g.output_score + g.score_gap <= op.cap_points
         then {{ finite_or_null('(g.output_score + g.score_gap) / op.basic_points * bo.value') }} end as output_per_mu_needed,
    bt.value as tax_per_mu_benchmark,
    bo.value as output_per_mu_benchmark
from gaps g
join points tp on tp.scale = g.scale and tp.indicator = 'tax_per_mu'
join points op on op.scale = g.scale and op.indicator = 'output_per_mu'
join benchmarks bt on bt.indicator = 'tax_per_mu'
join benchmarks bo on bo.indicator = 'output_per_mu'
