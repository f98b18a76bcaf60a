{{ config(meta={'description': '企业和乡镇的每项奖励都不为负且不超过规则表的封顶，工业上楼补助历年累计也不超过累计上限', 'dagster': {'ref': {'name': 'enterprise_rewards'}}}) }}
-- No reward exceeds its cap or is negative (REWARDS §2–§5), and what the project granted an
-- enterprise for 工业上楼 up to this data year stays within the cumulative cap, for each enterprise
-- granted one this year. A later year's grant is left out: it was capped by the earlier years as
-- they stood then, and an earlier year evaluated again (corrected, or evaluated after the later
-- one) makes it stale until the later year is evaluated again (publish refuses that year meanwhile).
select r.uscc, r.item
from {{ ref('enterprise_rewards') }} r
where r.data_year = {{ data_year() }}
  and (r.amount < 0
       or (r.item = 'output_growth' and r.assessed_amount > (select max(cap) from {{ rules_in_force('reward_growth_bands') }}))
       or (r.item = 'output_breakthrough' and r.assessed_amount > (select sum(amount) from {{ rules_in_force('reward_breakthrough') }}))
       or r.assessed_amount > coalesce((select d.cap from {{ rules_in_force('reward_digital') }} d where d.item = r.item), r.assessed_amount))
union all
select r.uscc, r.item
from {{ ref('enterprise_rewards') }} r
where r.item = 'multistorey' and r.status = 'granted' and {{ reward_param('multistorey_cap_cumulative') }} = 1
  and r.data_year <= {{ data_year() }}
group by r.uscc, r.item
having max(r.data_year) = {{ data_year() }} and sum(r.amount) > {{ reward_param('multistorey_cap') }}
union all
select t.township, 'township_contribution'
from {{ ref('township_rewards') }} t
where t.data_year = {{ data_year() }}
  and (t.amount < 0 or t.amount > (select max(cap) from {{ rules_in_force('reward_township_bands') }}))
