-- Plausibility guards on land and tax (warnings unless the rule table says otherwise), and
-- referential checks: rows about enterprises outside the population, overrides for unknown
-- enterprises. These rows are used (or harmlessly unused) but a department should look at them.
with population as (select uscc from {{ ref('int_enterprises') }}),
status as (select * from {{ ref('int_enterprise_status') }}),
previous as (select * from {{ ref('int_previous_year_results') }} where status = 'evaluated'),

tax_rows as (select * from {{ ref('stg_tax__payments') }}),

median_output_per_mu as (
    select median(output_per_mu) as value from {{ ref('int_indicators') }}
),

guards as (
    -- a party of a verified lease that is not in the population: its area counts for nobody
    select 'land_leases' as extract, l.source_file as file, l.line_number as line, l.lessee_uscc as uscc,
           'lease_party_unknown' as check_name, 'lessee_uscc' as column_name, l.lease_id as value
    from {{ ref('stg_townships__land_leases') }} l
    where (l.lessee_uscc is not null and l.lessee_uscc not in (select uscc from population))
       or (l.lessor_uscc is not null and l.lessor_uscc not in (select uscc from population))

    -- land implausible for the output: 亩 delivered where m² is due, or the other way round
    union all
    select 'land_parcels', null, null, i.uscc, 'land_unit_suspect', null, {{ as_text('i.land_mu') }}
    from {{ ref('int_indicators') }} i, median_output_per_mu m
    where i.output_per_mu > m.value * {{ rule_param('land_suspect_factor') }}
       or i.output_per_mu * {{ rule_param('land_suspect_factor') }} < m.value

    -- net land changed by more than the set share against the stored previous year
    union all
    select 'land_parcels', null, null, s.uscc, 'land_change_large', null,
           {{ as_text('p.land_mu') }} || ' → ' || {{ as_text('s.land_mu') }}
    from status s
    join previous p on p.uscc = s.uscc
    where s.status = 'evaluated' and p.land_mu > 0
      and abs(s.land_mu - p.land_mu) > p.land_mu * {{ rule_param('land_change_max_ratio') }}

    -- no registered parcel: land from leases only (allowed, but worth a look)
    union all
    select 'land_parcels', null, null, n.uscc, 'parcel_missing', null, null
    from {{ ref('int_land_net') }} n
    join status s on s.uscc = n.uscc
    where s.in_scope and n.parcel_count = 0 and n.land_mu > 0

    -- tax larger than gross output: almost surely 元 delivered where 万元 is due
    union all
    select 'tax', t.source_file, t.line_number, t.uscc, 'tax_exceeds_output', 'tax_paid', cast(t.tax_paid as varchar)
    from tax_rows t
    join status s on s.uscc = t.uscc
    where s.in_scope and t.tax_paid > s.gross_output

    -- zero tax: allowed, but it forces class D
    union all
    select 'tax', t.source_file, t.line_number, t.uscc, 'tax_zero', 'tax_paid', cast(t.tax_paid as varchar)
    from tax_rows t
    join status s on s.uscc = t.uscc
    where s.in_scope and t.tax_paid = 0

    -- tax jumping beyond the set factor against the stored previous year
    union all
    select 'tax', t.source_file, t.line_number, t.uscc, 'tax_jump', 'tax_paid',
           {{ as_text('p.tax_paid') }} || ' → ' || {{ as_text('t.tax_paid') }}
    from tax_rows t
    join previous p on p.uscc = t.uscc
    where p.tax_paid > 0 and t.tax_paid > 0
      and (t.tax_paid > p.tax_paid * {{ rule_param('tax_jump_factor') }}
           or t.tax_paid * {{ rule_param('tax_jump_factor') }} < p.tax_paid)
)

select * from guards
