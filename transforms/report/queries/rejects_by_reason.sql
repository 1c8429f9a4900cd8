-- one row per (stage, reason): rejected inputs
select
    stage,
    reason,
    count(*) as count_rejects
from rejects
group by all
order by count_rejects desc, stage, reason
