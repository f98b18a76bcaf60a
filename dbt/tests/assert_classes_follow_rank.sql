{{ config(meta={'description': '同一排名组内名次越靠后，按名次比例划分的类别不会反而更好', 'dagster': {'ref': {'name': 'int_ranks'}}}) }}
-- The percentile class is monotone in rank within each ranking group: walking down the ranks,
-- the class never gets better again (compared by the cut-offs' order, not by letters).
with ordered as (
    select r.uscc, c.max_percent,
           lag(c.max_percent) over (partition by r.ranking_group order by r.rank, r.uscc) as previous_max_percent
    from {{ ref('int_ranks') }} r
    join {{ rules_in_force('class_cutoffs') }} c on c.class = r.percentile_class
)

select uscc from ordered where max_percent < previous_max_percent
