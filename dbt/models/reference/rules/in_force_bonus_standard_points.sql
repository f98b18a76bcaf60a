-- bonus_standard_points rows in force for the data year (one model per dated rule table).
{{ rule_rows_in_force('bonus_standard_points') }}
