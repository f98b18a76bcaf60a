-- The industry chain (产业链群, 附件7) of each enterprise: the longest matching code prefix; an
-- enterprise of no chain is counted under the label of industry_chain 'none' (code_labels.csv).
select
    e.uscc,
    coalesce(arg_max(c.chain, length(c.code_prefix)), {{ label_of('industry_chain', 'none') }}) as chain
from {{ ref('int_enterprises') }} e
left join {{ rules_in_force('industry_chains') }} c on starts_with(e.industry_code, c.code_prefix)
group by e.uscc
