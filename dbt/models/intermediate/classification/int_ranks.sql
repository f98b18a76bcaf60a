-- Ranks within each ranking group over evaluated enterprises (ties share the best rank), and
-- the percentile class, compared in integers: rank × 100 ≤ max_percent × N (RULES §8).
-- The groups are the scale groups unless the run ranks all enterprises together.
{% set groups = decision('ranking_groups', ['scale', 'all']) %}
{% set group_by = 'scale' if groups == 'scale' else "'all'" %}

with ranked as (
    select
        *,
        {{ group_by }} as ranking_group,
        rank() over (partition by {{ group_by }} order by total_score desc) as rank,
        rank() over (partition by {{ group_by }} order by tax_per_mu desc) as tax_per_mu_rank,
        count(*) over (partition by {{ group_by }}) as group_size
    from {{ ref('int_scores') }}
),

classes as (
    select r.uscc, arg_min(c.class, c.max_percent) as percentile_class
    from ranked r
    join {{ rules_in_force('class_cutoffs') }} c on r.rank * 100 <= c.max_percent * r.group_size
    group by r.uscc
)

select ranked.*, classes.percentile_class
from ranked
join classes on classes.uscc = ranked.uscc
