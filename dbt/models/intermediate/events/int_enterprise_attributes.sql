-- Everything the departments report once per enterprise, joined onto the evaluated population.
select
    i.uscc,
    i.scale,
    e.gross_output,
    e.gross_output_prev,
    e.revenue,
    e.revenue_prev,
    e.total_profit,
    e.above_scale_since,
    e.halted_since,
    s.tax_paid,
    s.credit_rating_d,
    st.rd_expense,
    st.new_invention_patents,
    coalesce(st.hitech, false) as hitech,
    st.rd_platform,
    it.specialized,
    it.smart_manufacturing,
    it.single_champion,
    it.green_factory,
    it.equipment_investment,
    coalesce(it.elimination_listed, false) as elimination_listed,
    coalesce(it.energy_target_missed, false) as energy_target_missed,
    f.listing,
    coalesce(f.blacklisted, false) as blacklisted,
    coalesce(m.abnormal_operation, false) as abnormal_operation
from {{ ref('int_indicators') }} i
join {{ ref('int_enterprise_status') }} s on s.uscc = i.uscc
join {{ ref('int_enterprises') }} e on e.uscc = i.uscc
left join {{ ref('stg_science_tech__innovation') }} st on st.uscc = i.uscc
left join {{ ref('stg_industry_it__enterprise_status') }} it on it.uscc = i.uscc
left join {{ ref('stg_finance__enterprises') }} f on f.uscc = i.uscc
left join {{ ref('stg_market_supervision__abnormal_operation') }} m on m.uscc = i.uscc
