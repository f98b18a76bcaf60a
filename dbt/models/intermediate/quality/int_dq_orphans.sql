-- Accepted rows of departmental files whose USCC is not in the statistics population: they
-- take no part in the evaluation. An override for an unknown enterprise is an error.
select
    c.extract,
    c.source_file as file,
    c.line_number as line,
    c.row_uscc as uscc,
    case when c.extract = 'overrides' then 'override_unknown_enterprise' else 'uscc_not_in_population' end as check_name,
    c.column_name,
    c.value
from {{ ref('stg_raw__cells') }} c
where c.column_name = 'uscc'
  and c.extract <> 'statistics'
  and not exists (select 1 from {{ ref('stg_raw__quarantined_lines') }} q
                  where q.extract = c.extract and q.load_id = c.load_id and q.line_number = c.line_number)
  and not exists (select 1 from {{ ref('int_enterprises') }} e where e.uscc = upper(trim(c.value)))
