-- Lines whose cells parse but which break a rule of their own file: a parcel or lease area that
-- is not positive, a parcel or contract id delivered twice, a lease whose lessor is its lessee,
-- a pollution penalty without the level its points depend on (RULES §4: not 0 points
-- silently), an enterprise's invoice of one project and item delivered twice (it would be
-- subsidised twice). Like cell errors, each quarantines its line.
with parcels as (
    select source_file, load_id, line_number, {{ parse_uscc('uscc') }} as uscc,
           {{ clean_text('parcel_id') }} as parcel_id, area_m2 as area_text, {{ parse_decimal('area_m2') }} as area_m2
    from {{ current_rows('land_parcels') }}
),

leases as (
    select source_file, load_id, line_number, {{ clean_text('lease_id') }} as lease_id,
           {{ parse_uscc('lessor_uscc') }} as lessor_uscc, {{ parse_uscc('lessee_uscc') }} as lessee_uscc,
           area_mu as area_text, {{ parse_decimal('area_mu') }} as area_mu
    from {{ current_rows('land_leases') }}
),

environment_cases as (
    select source_file, load_id, line_number, {{ parse_uscc('uscc') }} as uscc,
           {{ parse_enum('kind', 'env_kind') }} as kind, coalesce(level, '') as level_text
    from {{ current_rows('environment') }}
),

invoices as (
    select source_file, load_id, line_number, {{ parse_uscc('uscc') }} as uscc,
           {{ clean_text('project_id') }} as project_id, {{ parse_enum('item', 'digital_item') }} as item
    from {{ current_rows('digital_investment') }}
)

select 'land_parcels' as extract, source_file, load_id, line_number, uscc as row_uscc,
       'area_m2' as column_name, area_text as value, 'parcel_area_not_positive' as check_name
from parcels where area_m2 <= 0
union all
select 'land_parcels', source_file, load_id, line_number, uscc, 'parcel_id', parcel_id, 'parcel_duplicate'
from parcels where parcel_id is not null
qualify count(*) over (partition by parcel_id) > 1
union all
select 'land_leases', source_file, load_id, line_number, lessee_uscc, 'area_mu', area_text, 'lease_area_not_positive'
from leases where area_mu <= 0
union all
select 'land_leases', source_file, load_id, line_number, lessee_uscc, 'lessee_uscc', lease_id, 'lease_self'
from leases where lessor_uscc = lessee_uscc
union all
select 'land_leases', source_file, load_id, line_number, lessee_uscc, 'lease_id', lease_id, 'lease_duplicate'
from leases where lease_id is not null
qualify count(*) over (partition by lease_id) > 1
union all
select 'digital_investment', source_file, load_id, line_number, uscc, 'project_id', project_id, 'invoice_duplicate'
from invoices where uscc is not null and project_id is not null and item is not null
qualify count(*) over (partition by uscc, project_id, item) > 1
union all
-- an unknown level is already a cell error (enum_unknown); an empty one is caught here
select 'environment', source_file, load_id, line_number, uscc, 'level', level_text, 'pollution_level_missing'
from environment_cases where kind = 'pollution_penalty' and {{ trim_cell('level_text') }} = ''
