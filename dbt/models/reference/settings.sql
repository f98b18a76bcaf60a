-- What the bureau configures (data/seeds/district_settings.csv), per data year, with the
-- {district_name} and {approving_authority} placeholders of other settings filled in.
with settings as (select setting, value from {{ ref('district_settings') }})

select
    {{ data_year() }} as data_year,
    s.setting,
    replace(replace(s.value,
        '{district_name}', (select value from settings where setting = 'district_name')),
        '{approving_authority}', (select value from settings where setting = 'approving_authority')) as value
from settings s
