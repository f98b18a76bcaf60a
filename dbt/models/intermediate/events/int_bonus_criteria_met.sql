-- Bonus criteria (加分项, RULES §7.1) each evaluated enterprise meets, with the points the
-- rule table gives its scale group for it. Rates are rounded before they meet a threshold.
{% set digits = 'cast(' ~ rule_param('rate_digits') ~ ' as integer)' %}
{% set recent_from = data_year() ~ ' - ' ~ rule_param('recent_years') ~ ' + 1' %}

with a as (select * from {{ ref('int_enterprise_attributes') }}),

criteria as (
    select uscc, scale, 'listing' as item, listing as criterion from a where listing is not null
    union all
    select uscc, scale, 'rd_input', 'rd_ratio' from a
    where revenue > 0 and round(rd_expense / revenue, {{ digits }}) >= {{ rule_param('rd_ratio_min') }}
    union all
    select uscc, scale, 'rd_input', 'invention_patent' from a
    where new_invention_patents >= {{ rule_param('invention_patents_min') }}
    union all
    select uscc, scale, 'hitech', 'yes' from a where hitech
    union all
    select uscc, scale, 'rd_platform', rd_platform from a where rd_platform is not null
    union all
    select uscc, scale, 'specialized', specialized from a where specialized is not null
    union all
    select uscc, scale, 'smart_manufacturing', smart_manufacturing from a where smart_manufacturing is not null
    union all
    select uscc, scale, 'single_champion', single_champion from a where single_champion is not null
    union all
    select uscc, scale, 'green_factory', green_factory from a where green_factory is not null
    union all
    -- 近2年: honours and quality awards count at their highest level, standards cumulatively
    select a.uscc, a.scale, 'honor', h.level from a
    join {{ ref('stg_municipal__honors') }} h on h.uscc = a.uscc
    where h.honor_year between {{ recent_from }} and {{ data_year() }}
    union all
    select a.uscc, a.scale, 'quality_award', q.award from a
    join {{ ref('stg_market_supervision__quality_awards') }} q on q.uscc = a.uscc
    where q.award_year between {{ recent_from }} and {{ data_year() }}
    union all
    -- growth (每满足1项，分别再加2分): five separate items
    select uscc, scale, 'growth_output_total', 'yes' from a
    where gross_output > {{ rule_param('growth_output_total_over') }}
    union all
    select uscc, scale, 'growth_output_rate', 'yes' from a
    where gross_output_prev > 0
      and round((gross_output - gross_output_prev) / gross_output_prev, {{ digits }}) > {{ rule_param('growth_output_rate_over') }}
    union all
    select uscc, scale, 'growth_tax_total', 'yes' from a
    where tax_paid > {{ rule_param('growth_tax_total_over') }}
    union all
    select uscc, scale, 'growth_revenue_rate', 'yes' from a
    where revenue_prev > 0
      and round((revenue - revenue_prev) / revenue_prev, {{ digits }}) > {{ rule_param('growth_revenue_rate_over') }}
    union all
    select uscc, scale, 'growth_profit_margin', 'yes' from a
    where revenue > 0 and round(total_profit / revenue, {{ digits }}) > {{ rule_param('growth_profit_margin_over') }}
),

standards as (
    select a.uscc, 'standard' as item, s.level || '/' || s.role as criterion, sp.points, s.standard_code as evidence
    from a
    join {{ ref('stg_market_supervision__standards') }} s on s.uscc = a.uscc
    join {{ rules_in_force('bonus_standard_points') }} sp on sp.level = s.level and sp.role = s.role
    where s.standard_year between {{ recent_from }} and {{ data_year() }}
)

select c.uscc, c.item, c.criterion, p.points, null as evidence
from criteria c
join {{ rules_in_force('bonus_points') }} p
  on p.item = c.item and p.scale = c.scale and p.criterion = c.criterion
union all
select uscc, item, criterion, points, evidence from standards
