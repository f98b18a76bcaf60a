-- Who is evaluated, who is blocked by a data error (RULES §4) and who is out of scope (§2).
-- An enterprise whose statistics line is quarantined is blocked whatever its scope would be.
with tax_duplicates as (
    select distinct row_uscc as uscc from {{ ref('validation_duplicate_keys') }} where extract = 'tax'
),

-- a tax line delivered but quarantined for a value that is not valid ('nan', '√'): the
-- department did send the enterprise, so it is told to correct that line, not that the
-- enterprise is missing (an empty tax cell stays tax_missing: missing is not zero)
tax_invalid as (
    select distinct row_uscc as uscc from {{ ref('validation_cell_errors') }}
    where extract = 'tax' and check_name <> 'value_missing'
),

checked as (
    select
        e.*,
        land.land_mu,
        tax.tax_paid,
        tax.credit_rating_d,
        case
            when e.statistics_issue is not null then [e.statistics_issue]
            else list_filter([
                case when dup.uscc is not null then 'tax_duplicate'
                     when tax.uscc is null and invalid.uscc is not null then 'tax_row_invalid'
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
    left join tax_invalid invalid on invalid.uscc = e.uscc
),

-- Defence in depth: every delivered number is finite (parse_decimal), but sums and quotients of
-- finite numbers can still overflow (a parcel of 1e308 m², a land of 1e-300 亩), and inf or NaN
-- would pass the guards above (NaN > 0 is true in DuckDB) and poison the benchmarks. Such an
-- enterprise is blocked; the quotients are those of int_indicators.
guarded as (
    select * replace (
        case when in_scope and len(block_reasons) = 0
                  and not (isfinite(land_mu)
                           and isfinite(greatest(tax_paid, 0) / land_mu)
                           and isfinite(gross_output / land_mu)
                           and (scale = 'below' or isfinite(gross_output / energy_tce)))
             then ['indicator_not_finite'] else block_reasons end as block_reasons)
    from checked
)

select
    * exclude (block_reasons),
    block_reasons,
    case
        when statistics_issue is not null then 'blocked'
        when not in_scope then 'out_of_scope'
        when len(block_reasons) > 0 then 'blocked'
        else 'evaluated'
    end as status,
    case
        when statistics_issue is not null then statistics_issue
        when not in_scope then 'industry'
        when len(block_reasons) > 0 then array_to_string(block_reasons, ';')
    end as status_reason
from guarded
