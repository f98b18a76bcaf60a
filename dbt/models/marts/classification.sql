-- 分类结果: one row per enterprise of the statistics extract (quarantined lines aside), every
-- data year side by side. Blocked and out-of-scope enterprises carry their reason in
-- `adjustments` and no scores (RULES §10).
select
    {{ data_year() }} as data_year,
    s.uscc,
    s.name,
    s.township,
    s.scale,
    s.status,
    c.land_mu,
    c.tax_per_mu,
    c.output_per_mu,
    c.output_per_energy,
    c.tax_score,
    c.output_score,
    c.energy_score,
    c.basic_score,
    c.bonus_score,
    c.penalty_score,
    c.total_score,
    c.rank,
    c.group_size,
    c.percentile_class,
    c.final_class,
    case when s.status = 'evaluated' then c.adjustments else s.status_reason end as adjustments,
    c.adjustment_details,
    c.class_changes,
    c.conditions_without_effect,
    c.decided_by,
    c.auto_class,
    c.override_class,
    c.override_reason,
    c.override_approved_by,
    c.override_approved_on,
    p.prev_class,
    p.prev_class_source,
    c.tax_per_mu_rank,
    coalesce(s.status = 'evaluated' and s.scale = 'above'
             and s.gross_output >= {{ rule_param('benchmark_min_gross_output') }}, false) as in_benchmark_population,
    s.industry_code,
    s.industry_division_name,
    ch.chain as industry_chain,
    s.tax_paid,
    s.gross_output,
    s.energy_tce,
    s.source_file,
    s.line_number
from {{ ref('int_enterprise_status') }} s
left join {{ ref('int_classification') }} c on c.uscc = s.uscc
left join {{ ref('int_prev_class') }} p on p.uscc = s.uscc
left join {{ ref('int_enterprise_chains') }} ch on ch.uscc = s.uscc
