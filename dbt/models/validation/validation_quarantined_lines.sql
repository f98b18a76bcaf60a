-- Lines kept out of the evaluation, with every reason found for each.

select extract, load_id, line_number,
       string_agg(distinct check_name, ';' order by check_name) as reasons
from (
    select extract, load_id, line_number, check_name from {{ ref('validation_cell_errors') }}
    union all
    select extract, load_id, line_number, check_name from {{ ref('validation_duplicate_keys') }}
    union all
    select extract, load_id, line_number, check_name from {{ ref('validation_row_rule_errors') }}
    union all
    select extract, load_id, line_number, check_name from {{ ref('validation_reward_row_errors') }}
)
group by all
