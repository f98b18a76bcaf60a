{{ config(meta={'dagster': {'ref': {'name': 'int_ranks'}}}) }}
-- The percentile class is monotone in rank within each scale group: a better rank never gets
-- a worse class.
select a.uscc
from {{ ref('int_ranks') }} a
join {{ ref('int_ranks') }} b on a.ranking_group = b.ranking_group and a.rank < b.rank and a.percentile_class > b.percentile_class
