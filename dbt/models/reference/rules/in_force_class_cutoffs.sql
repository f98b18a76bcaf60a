-- class_cutoffs rows in force for the data year (one model per dated rule table).
{{ rule_rows_in_force('class_cutoffs') }}
