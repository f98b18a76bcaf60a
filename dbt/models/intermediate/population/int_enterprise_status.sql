-- Who is evaluated, who is blocked by a data error (RULES §4) and who is out of scope (§2).
with tax_duplicates as (
    select distinct row_uscc as uscc from {{ ref('stg_raw__duplicate_keys') }} where extract = 'tax'
),

checked as (
    select
        e.*,
        land.land_mu,
        tax.tax_paid,
        tax.credit_rating_d,
        case
            when e.statistics_duplicate then ['statistics_duplicate']
            else list_filter([
                case when dup.uscc is not null then 'tax_duplicate'
                     when tax.uscc is null then 'tax_missing' end,
                case when land.land_mu <= 0 then 'land_not_positive' end,
                case when e.scale = 'above' and coalesce(e.energy_tce, 0) <= 0 then 'energy_missing' end,
                case when e.gross_output is null then 'output_missing' end
            ], lambda reason: reason is not null)
        end as block_reasons
    from {{ ref('int_enterprises') }} e
    join {{ ref('int_land_net') }} land on land.uscc = e.uscc
    left join {{ ref('stg_tax__payments') }} tax on tax.uscc = e.uscc
    left join tax_duplicates dup on dup.uscc = e.uscc
)

select
    * exclude (block_reasons),
    block_reasons,
    case
        when statistics_duplicate then 'blocked'
        when not in_scope then 'out_of_scope'
        when len(block_reasons) > 0 then 'blocked'
        else 'evaluated'
    end as status,
    case
        when statistics_duplicate then 'statistics_duplicate'
        when not in_scope then 'industry'
        when len(block_reasons) > 0 then array_to_string(block_reasons, ';')
    end as status_reason
from checked
