-- 市场监管局: the abnormal operation list (经营异常名录).
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ parse_bool('r.abnormal_operation') }} as abnormal_operation
from {{ accepted_rows('market_supervision') }} r
