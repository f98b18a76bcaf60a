-- Who can receive an enterprise award of 附件2 (REWARDS §1): the above-scale manufacturing
-- enterprises of the statistics extract, whatever their evaluation status (a blocked
-- enterprise can still be rewarded: rewards use neither land nor tax). An enterprise whose
-- statistics lines were quarantined (delivered twice, an invalid cell) has no figures to trust
-- and is not assessed.
select
    e.uscc, e.name, e.township, e.source_file, e.line_number,
    {{ as_amount('e.gross_output') }} as gross_output,
    {{ as_amount('e.gross_output_prev') }} as gross_output_prev
from {{ ref('int_enterprises') }} e
where e.scale = 'above' and e.in_scope and e.statistics_issue is null
