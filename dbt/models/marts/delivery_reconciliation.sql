-- 报送核对: per delivered file, rows read = rows accepted + rows quarantined (nothing is lost);
-- accepted rows about enterprises outside the population are counted too.
{% set staging_models = {
    'statistics': 'stg_statistics__enterprises', 'tax': 'stg_tax__payments',
    'land_parcels': 'stg_natural_resources__land_parcels', 'land_leases': 'stg_townships__land_leases',
    'land_violations': 'stg_natural_resources__land_violations', 'science_tech': 'stg_science_tech__innovation',
    'industry_it': 'stg_industry_it__enterprise_status', 'finance': 'stg_finance__enterprises',
    'market_supervision': 'stg_market_supervision__abnormal_operation',
    'quality_awards': 'stg_market_supervision__quality_awards', 'standards': 'stg_market_supervision__standards',
    'honors': 'stg_municipal__honors', 'safety_accidents': 'stg_emergency__safety_accidents',
    'environment': 'stg_environment__cases', 'overrides': 'stg_government__overrides',
    'output_history': 'stg_statistics__output_history',
    'township_monthly_output': 'stg_statistics__township_monthly_output',
    'digital_investment': 'stg_industry_it__digital_investment',
    'multistorey_buildings': 'stg_development_zone__multistorey_buildings',
    'higher_level_funding': 'stg_fiscal__higher_level_funding',
} %}

with accepted as (
    {% for extract, model in staging_models.items() %}
    select '{{ extract }}' as extract, count(*) as rows_accepted from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

quarantined as (
    select extract, count(*) as rows_quarantined from {{ ref('stg_raw__quarantined_lines') }} group by extract
),

orphans as (
    select extract, count(*) as rows_not_in_population from {{ ref('int_dq_orphans') }} group by extract
)

select
    {{ data_year() }} as data_year,
    e.extract,
    e.department,
    e.department_zh,
    e.extract || '.csv' as file,
    l.delivered,
    l.load_id,
    l.sha256,
    l.encoding,
    l.loaded_at,
    coalesce(l.rows_read, 0) as rows_read,
    coalesce(a.rows_accepted, 0) as rows_accepted,
    coalesce(q.rows_quarantined, 0) as rows_quarantined,
    coalesce(o.rows_not_in_population, 0) as rows_not_in_population
from {{ ref('extracts') }} e
left join {{ ref('stg_raw__current_loads') }} l on l.extract = e.extract
left join accepted a on a.extract = e.extract
left join quarantined q on q.extract = e.extract
left join orphans o on o.extract = e.extract
