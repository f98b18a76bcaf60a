-- 结果变化: what changed in this run of the data year against the previous run of the same year
-- (status, class, score), with the reason of any override. Empty after the first run of a year.
with runs as (
    select run_id, max(run_at) as run_at
    from {{ ref('classification_runs') }}
    where data_year = {{ data_year() }}
    group by run_id
),

latest as (select run_id, run_at from runs order by run_at desc limit 1),
previous as (select run_id, run_at from runs where run_id <> (select run_id from latest) order by run_at desc limit 1),

now_rows as (select * from {{ ref('classification_runs') }} where run_id = (select run_id from latest)),
before_rows as (select * from {{ ref('classification_runs') }} where run_id = (select run_id from previous))

select
    {{ data_year() }} as data_year,
    (select run_id from previous) as previous_run_id,
    (select run_id from latest) as run_id,
    coalesce(n.uscc, b.uscc) as uscc,
    coalesce(n.name, b.name) as name,
    coalesce(n.township, b.township) as township,
    b.status as previous_status,
    n.status as status,
    b.final_class as previous_class,
    n.final_class as final_class,
    b.total_score as previous_total_score,
    n.total_score as total_score,
    round(n.total_score - b.total_score, cast({{ rule_param('total_score_digits') }} as integer)) as score_change,
    case
        when b.uscc is null then 'added'
        when n.uscc is null then 'removed'
        -- both rows exist here; a status is never empty and a class is A–D, so '' stands for none
        when coalesce(n.status, '') <> coalesce(b.status, '') then 'status_changed'
        when coalesce(n.final_class, '') <> coalesce(b.final_class, '') then 'class_changed'
        else 'score_changed'
    end as change,
    n.override_class,
    n.override_reason,
    n.adjustments
from now_rows n
full outer join before_rows b on b.uscc = n.uscc
where (select run_id from previous) is not null
  and (n.uscc is null or b.uscc is null
       or n.status is distinct from b.status
       or n.final_class is distinct from b.final_class
       or n.total_score is distinct from b.total_score)
