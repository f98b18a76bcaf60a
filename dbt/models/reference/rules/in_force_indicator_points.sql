-- indicator_points rows in force for the data year (one model per dated rule table);
-- `key` identifies a rule: at most one row of it may be in force in a year, and one must be
-- in every year (every indicator of each scale has its points).
{{ rule_rows_in_force('indicator_points', key=['scale', 'indicator'], every_year=true) }}
