-- Lines of the reward extracts whose cells parse but which break a rule of their own file:
-- an enterprise's year or a township's month delivered twice, a month outside the year, a
-- township's output below zero, a
-- building delivered twice or with impossible figures (a floor larger than the building, a
-- density outside 0–100 %, a plot ratio not positive). Each quarantines its line, like the
-- cell errors, so that no reward is computed from it.
with history as (
    select source_file, load_id, line_number, {{ parse_uscc('uscc') }} as uscc,
           {{ parse_int('year') }} as year
    from {{ current_rows('output_history') }}
),

months as (
    select source_file, load_id, line_number, {{ clean_text('township') }} as township,
           month as month_text, {{ parse_int('month') }} as month,
           output as output_text, {{ parse_decimal('output') }} as output,
           output_prev as output_prev_text, {{ parse_decimal('output_prev') }} as output_prev
    from {{ current_rows('township_monthly_output') }}
),

buildings as (
    select source_file, load_id, line_number, {{ parse_uscc('uscc') }} as uscc,
           {{ clean_text('building_id') }} as building_id,
           plot_ratio as plot_ratio_text, {{ parse_decimal('plot_ratio') }} as plot_ratio,
           building_density_pct as density_text, {{ parse_decimal('building_density_pct') }} as density,
           floor_area_m2 as floor_area_text, {{ parse_decimal('floor_area_m2') }} as floor_area,
           floor3_area_m2 as floor3_text, coalesce({{ parse_decimal('floor3_area_m2') }}, 0) as floor3,
           floor4_up_area_m2 as floor4_text, coalesce({{ parse_decimal('floor4_up_area_m2') }}, 0) as floor4
    from {{ current_rows('multistorey_buildings') }}
)

select 'output_history' as extract, source_file, load_id, line_number, uscc as row_uscc,
       'year' as column_name, cast(year as varchar) as value, 'history_duplicate' as check_name
from history where uscc is not null and year is not null
qualify count(*) over (partition by uscc, year) > 1
union all
select 'township_monthly_output', source_file, load_id, line_number, null, 'month', month_text, 'township_month_invalid'
from months where month < 1 or month > {{ reward_param('township_months_required') }}
union all
select 'township_monthly_output', source_file, load_id, line_number, null, 'month', month_text, 'township_month_duplicate'
from months where township is not null and month is not null
qualify count(*) over (partition by township, month) > 1
union all
-- an output below zero is no output: the line is not used, so the township lacks that month
select 'township_monthly_output', source_file, load_id, line_number, null, 'output', output_text, 'township_output_negative'
from months where output < 0
union all
select 'township_monthly_output', source_file, load_id, line_number, null, 'output_prev', output_prev_text, 'township_output_negative'
from months where output_prev < 0
union all
select 'multistorey_buildings', source_file, load_id, line_number, uscc, 'building_id', building_id, 'building_duplicate'
from buildings where building_id is not null
qualify count(*) over (partition by building_id) > 1
union all
select 'multistorey_buildings', source_file, load_id, line_number, uscc, 'floor_area_m2', floor_area_text, 'building_area_impossible'
from buildings where floor_area <= 0
union all
select 'multistorey_buildings', source_file, load_id, line_number, uscc, 'floor3_area_m2', floor3_text, 'building_area_impossible'
from buildings where floor3 < 0 or floor3 > floor_area
union all
select 'multistorey_buildings', source_file, load_id, line_number, uscc, 'floor4_up_area_m2', floor4_text, 'building_area_impossible'
from buildings where floor4 < 0 or floor4 > floor_area
-- the third floor and the floors above it are distinct parts of the building
union all
select 'multistorey_buildings', source_file, load_id, line_number, uscc, 'floor4_up_area_m2', floor4_text, 'building_floors_exceed_area'
from buildings where floor3 >= 0 and floor4 >= 0 and floor3 <= floor_area and floor4 <= floor_area and floor3 + floor4 > floor_area
union all
select 'multistorey_buildings', source_file, load_id, line_number, uscc, 'building_density_pct', density_text, 'building_density_impossible'
from buildings where density <= 0 or density > 100
union all
select 'multistorey_buildings', source_file, load_id, line_number, uscc, 'plot_ratio', plot_ratio_text, 'building_plot_ratio_impossible'
from buildings where plot_ratio <= 0
