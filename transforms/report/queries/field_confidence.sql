-- one row per (metadata field, confidence): articles, for every *_confidence column the
-- articles mart has ('none' when absent); run only when it has one
with confidences as (
    select columns('.*_confidence$')::varchar from fct_articles
),

long as (
    unpivot confidences
    on columns(*)
    into name field_column value confidence
)

select
    replace(field_column, '_confidence', '') as field,
    coalesce(confidence, 'none') as confidence,
    count(*) as count_articles
from long
group by all
order by field, count_articles desc
