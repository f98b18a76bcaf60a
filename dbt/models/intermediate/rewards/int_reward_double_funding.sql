-- No double funding (REWARDS §1): an enterprise that received higher-level funds for a reward
-- item in the data year does not receive the item from the district ("已经享受过上级财政资金
-- 支持的，不再享受本级财政支持"); the reason names each level and amount.
with funding as (
    select
        f.uscc, f.item, f.amount, f.line_number,
        {{ fill(reason_text('funding_detail'), {
            'level': enum_label_zh('f.level', 'level3'), 'amount': num_text('f.amount')}) }} as detail
    from {{ ref('stg_fiscal__higher_level_funding') }} f
    where f.year = {{ data_year() }} and f.item is not null
),

per_item as (
    select uscc, item, sum(amount) as funded_amount, string_agg(detail, '、' order by line_number) as details
    from funding
    group by uscc, item
)

select
    uscc, item, funded_amount,
    {{ fill(reason_text('double_funded'), {'funding': 'details'}) }} as reason
from per_item
