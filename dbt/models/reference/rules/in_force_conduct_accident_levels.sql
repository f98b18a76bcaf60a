-- conduct_accident_levels rows in force for the data year (one model per dated rule table).
{{ rule_rows_in_force('conduct_accident_levels') }}
