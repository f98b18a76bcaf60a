-- bonus_standard_points rows in force for the data year (one model per dated rule table);
-- `key` identifies a rule: at most one row of it may be in force in a year.
{{ rule_rows_in_force('bonus_standard_points', key=['level', 'role']) }}
