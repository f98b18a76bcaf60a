-- The delivery in force for each extract of this data year: the latest load.
-- Earlier loads stay in raw.* for audit; a re-delivered identical file creates no new load.
select *
from {{ source('raw', 'loads') }}
where data_year = {{ data_year() }}
qualify row_number() over (partition by extract order by loaded_at desc, load_id desc) = 1
