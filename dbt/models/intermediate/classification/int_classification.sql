-- The class of each evaluated enterprise: the percentile class, walked through the adjustment
-- rules in their order (each moves the class only when it is one of the rule's from_classes),
-- then the government's override (RULES §9).
with recursive rules as (
    select rule, step, string_split(from_classes, ';') as from_classes, to_class
    from {{ rules_in_force('adjustment_rules') }}
),

walk (uscc, step, class) as (
    select uscc, 0, percentile_class from {{ ref('int_ranks') }}
    union all
    select
        walk.uscc,
        rules.step,
        case when held.uscc is not null and list_contains(rules.from_classes, walk.class)
             then rules.to_class else walk.class end
    from walk
    join rules on rules.step = walk.step + 1
    left join {{ ref('int_adjustment_conditions') }} held
      on held.uscc = walk.uscc and held.rule = rules.rule
),

adjusted as (
    select uscc, arg_max(class, step) as auto_class from walk group by uscc
),

held_rules as (
    select uscc, string_agg(rule, ';' order by step) as rules,
           string_agg(rule || '：' || detail, '；' order by step) as details
    from {{ ref('int_adjustment_conditions') }}
    group by uscc
)

select
    ranks.*,
    adjusted.auto_class,
    o.final_class as override_class,
    o.reason as override_reason,
    o.approved_by as override_approved_by,
    o.approved_on as override_approved_on,
    coalesce(o.final_class, adjusted.auto_class) as final_class,
    nullif(concat_ws(';', held_rules.rules, case when o.uscc is not null then 'manual_override' end), '') as adjustments,
    held_rules.details as adjustment_details
from {{ ref('int_ranks') }} ranks
join adjusted on adjusted.uscc = ranks.uscc
left join held_rules on held_rules.uscc = ranks.uscc
left join {{ ref('stg_government__overrides') }} o on o.uscc = ranks.uscc
