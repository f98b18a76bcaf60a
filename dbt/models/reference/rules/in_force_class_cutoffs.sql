-- class_cutoffs rows in force for the data year (one model per dated rule table);
-- `key` identifies a rule: at most one row of it may be in force in a year, and one must be
-- in every year (every class has its cut-off).
{{ rule_rows_in_force('class_cutoffs', key=['class'], every_year=true) }}
