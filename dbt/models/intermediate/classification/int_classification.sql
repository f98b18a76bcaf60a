-- The class of each evaluated enterprise: the percentile class, walked through the adjustment
-- rules in their order (each moves the class only when it is one of the rule's from_classes),
-- then the government's override (RULES §9).
with recursive rules as (
    select rule, step, string_split(from_classes, ';') as from_classes, to_class
    from {{ rules_in_force('adjustment_rules') }}
),

-- each step carries the class before it (previous), so that the steps that changed the class
-- are read off the walk itself
walk (uscc, step, class, previous) as (
    select uscc, 0 as step, percentile_class as class, percentile_class as previous from {{ ref('int_ranks') }}
    union all
    select
        walk.uscc,
        rules.step,
        case when held.uscc is not null and list_contains(rules.from_classes, walk.class)
             then rules.to_class else walk.class end,
        walk.class
    from walk
    join rules on rules.step = walk.step + 1
    left join {{ ref('int_adjustment_conditions') }} held
      on held.uscc = walk.uscc and held.rule = rules.rule
),

adjusted as (
    select uscc, arg_max(class, step) as auto_class from walk group by uscc
),

-- the steps that changed the class, which is what people are told; a rule whose condition held
-- without changing the class (protection of a B, say) is reported apart
changes as (
    select walk.uscc, walk.step, rules.rule, walk.previous as from_class, walk.class as to_class
    from walk
    join rules on rules.step = walk.step
    where walk.class <> walk.previous
),

rule_labels as (
    select code, label_zh, short_label_zh from {{ ref('labels') }}
    where data_year = {{ data_year() }} and domain = 'decided_by'
),

held as (
    select held.*, rule_labels.short_label_zh, changes.uscc is not null as changed_class,
           changes.from_class, changes.to_class
    from {{ ref('int_adjustment_conditions') }} held
    join rule_labels on rule_labels.code = held.rule
    left join changes on changes.uscc = held.uscc and changes.rule = held.rule
),

held_rules as (
    select uscc,
           string_agg(rule, ';' order by step) as rules,
           string_agg(short_label_zh || '：' || detail, '；' order by step) as details,
           string_agg(from_class || '→' || to_class || '：' || short_label_zh || '（' || detail || '）', '；' order by step)
               filter (where changed_class) as class_changes,
           string_agg(short_label_zh || '（' || detail || '）', '；' order by step)
               filter (where not changed_class) as conditions_without_effect,
           arg_max(rule, step) filter (where changed_class) as last_change
    from held
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
    held_rules.details as adjustment_details,
    nullif(concat_ws('；',
        held_rules.class_changes,
        case when o.final_class <> adjusted.auto_class
             then adjusted.auto_class || '→' || o.final_class || '：' || approval.label_zh
                  || coalesce('（' || o.reason || '）', '') end
    ), '') as class_changes,
    held_rules.conditions_without_effect,
    case when o.uscc is not null then 'override'
         else coalesce(held_rules.last_change, 'percentile') end as decided_by
from {{ ref('int_ranks') }} ranks
join adjusted on adjusted.uscc = ranks.uscc
left join held_rules on held_rules.uscc = ranks.uscc
left join {{ ref('stg_government__overrides') }} o on o.uscc = ranks.uscc
left join rule_labels approval on approval.code = 'override'
