-- 报送核对: per delivered file, the rows read, the rows quarantined by validation and the rows
-- accepted (read − quarantined), for every extract of the contract alike; accepted rows about
-- enterprises outside the population are counted too. The rows_reconcile test checks that each
-- staging model keeps exactly the accepted rows of its extract (nothing is lost).
with quarantined as (
    select extract, count(*) as rows_quarantined from {{ ref('validation_quarantined_lines') }} group by extract
),

orphans as (
    select extract, count(*) as rows_not_in_population from {{ ref('int_dq_orphans') }} group by extract
)

select
    {{ data_year() }} as data_year,
    e.extract,
    e.department,
    e.department_zh,
    coalesce(l.source_file, e.extract || '.csv') as file,  -- as delivered: a workbook is named .xlsx
    l.delivered,
    l.load_id,
    l.sha256,
    l.encoding,
    l.loaded_at,
    coalesce(l.rows_read, 0) as rows_read,
    coalesce(l.rows_read, 0) - coalesce(q.rows_quarantined, 0) as rows_accepted,
    coalesce(q.rows_quarantined, 0) as rows_quarantined,
    coalesce(o.rows_not_in_population, 0) as rows_not_in_population
from {{ ref('extracts') }} e
left join {{ ref('validation_current_loads') }} l on l.extract = e.extract
left join quarantined q on q.extract = e.extract
left join orphans o on o.extract = e.extract
