-- 数字化转型补助 (REWARDS §5): per item, the invoices of the data year add up to at least the
-- minimum (不低于); the subsidy is the rate of the total ("不超过5%/10%" read as that rate,
-- Decision), capped.
with invoices as (
    select uscc, item, sum(invoice_amount) as total, count(*) as invoices
    from {{ ref('stg_industry_it__digital_investment') }}
    where year = {{ data_year() }}
    group by uscc, item
)

select
    i.uscc,
    i.item,
    {{ round_amount('least(r.rate * i.total, r.cap)') }} as amount,
    {{ fill('i.basis_template', {
        'year': data_year(), 'count': 'i.invoices', 'total': num_text('i.total'),
        'rate': "rtrim(rtrim(cast(r.rate * 100 as varchar), '0'), '.') || '%'", 'cap': num_text('r.cap')}) }} as basis,
    null::varchar as reason
from (select v.*, t.basis_zh as basis_template from invoices v join {{ ref('reward_items') }} t on t.item = v.item) i
join {{ rules_in_force('reward_digital') }} r on r.item = i.item
join {{ ref('int_reward_enterprises') }} e on e.uscc = i.uscc
where i.total >= r.invoice_min
