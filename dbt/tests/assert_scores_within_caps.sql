{{ config(meta={'description': '每家参评企业的亩均税收、亩均产值得分不超过封顶分，加分、减分合计不为负且不超过各自的上限', 'dagster': {'ref': {'name': 'int_scores'}}}) }}
-- Every indicator score stays within its cap, bonus and penalty within theirs (RULES §7).
select s.uscc
from {{ ref('int_scores') }} s
where s.bonus_score > {{ rule_param('bonus_total_cap') }}
   or s.penalty_score > {{ rule_param('penalty_total_cap') }}
   or s.bonus_score < 0 or s.penalty_score < 0
   or s.tax_score > (select max(cap_points) from {{ rules_in_force('indicator_points') }} p where p.scale = s.scale and p.indicator = 'tax_per_mu')
   or s.output_score > (select max(cap_points) from {{ rules_in_force('indicator_points') }} p where p.scale = s.scale and p.indicator = 'output_per_mu')
