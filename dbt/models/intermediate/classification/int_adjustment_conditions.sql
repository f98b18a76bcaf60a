-- Conditions of the adjustment rules (调档, RULES §9) that hold for each evaluated enterprise,
-- whether or not they end up changing its class; `detail` says why, for people (several reasons
-- of one rule joined by '、': '；' separates rules in int_classification), in the words of the
-- adjustment_condition labels (data/seeds/code_labels.csv), their rule numbers filled in.
with r as (
    select ranks.*, a.* exclude (uscc, scale, tax_paid, gross_output)
    from {{ ref('int_ranks') }} ranks
    join {{ ref('int_enterprise_attributes') }} a on a.uscc = ranks.uscc
),

conditions as (
    -- 1. 亩均税收排名后50%
    select uscc, 'not_a_low_tax' as rule,
           {{ condition_text('low_tax_rank', {'indicator': label_of('indicator', 'tax_per_mu'), 'rank': 'tax_per_mu_rank', 'group_size': 'group_size'}) }} as detail
    from r
    where tax_per_mu_rank * 100 > (100 - {{ rule_param('low_tax_bottom_percent') }}) * group_size

    -- 2. conduct: serious accident, missed energy or emission target, abnormal operation
    union all
    select r.uscc, 'not_a_conduct', {{ condition_text('safety_accident', {'event_id': 's.event_id'}) }}
    from r
    join {{ ref('int_events_in_year') }} s on s.uscc = r.uscc and s.event = 'safety_accident'
    join {{ rules_in_force('conduct_accident_levels') }} l on l.level = s.level
    union all
    select uscc, 'not_a_conduct', {{ condition_text('energy_target_missed') }} from r where energy_target_missed
    union all
    select r.uscc, 'not_a_conduct', {{ condition_text('emission_target_missed', {'event_id': 'c.event_id'}) }}
    from r
    join {{ ref('int_events_in_year') }} c on c.uscc = r.uscc and c.event = 'emission_target_missed'
    union all
    select uscc, 'not_a_conduct', {{ condition_text('abnormal_operation') }} from r where abnormal_operation

    -- 3. protected from C and D
    union all
    select r.uscc, 'protect_cd', {{ condition_text('previous_class_a') }} from r
    join {{ ref('int_prev_class') }} p on p.uscc = r.uscc
    where p.prev_class = 'A'
    union all
    select uscc, 'protect_cd', {{ condition_text('equipment_investment', {'amount': "printf('%.2f', equipment_investment)"}) }} from r
    where equipment_investment > {{ rule_param('equipment_investment_over', 'r.scale') }}
    union all
    select uscc, 'protect_cd', {{ condition_text('new_above_scale', {'scale': label_of('scale', 'above'), 'since': 'above_scale_since'}) }} from r
    where scale = 'above'
      and above_scale_since > {{ cutoff_date() }} - to_months(cast({{ rule_param('new_above_scale_months') }} as integer))

    -- 4. straight to D
    union all
    select uscc, 'force_d', {{ condition_text('elimination_listed') }} from r where elimination_listed
    union all
    select uscc, 'force_d', {{ condition_text('halted', {'since': 'halted_since'}) }} from r
    where halted_since <= {{ cutoff_date() }} - to_months(cast({{ rule_param('halted_months') }} as integer))
    union all
    -- the amount is left out: tax figures are confidential and this text reaches printed pages
    select uscc, 'force_d', {{ condition_text('zero_tax') }} from r where tax_paid <= 0
)

select c.uscc, c.rule, a.step, string_agg(c.detail, '、' order by c.detail) as detail
from conditions c
join {{ rules_in_force('adjustment_rules') }} a on a.rule = c.rule
group by c.uscc, c.rule, a.step
