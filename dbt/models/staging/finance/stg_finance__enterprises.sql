-- 金融服务中心: listing and credit blacklist.
select
    r.data_year, r.load_id, r.source_file, r.line_number,
    {{ parse_uscc('r.uscc') }} as uscc,
    {{ parse_enum('r.listing', 'listing') }} as listing,
    {{ parse_bool('r.blacklisted') }} as blacklisted
from {{ accepted_rows('finance') }} r
