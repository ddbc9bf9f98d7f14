-- Ad hoc: how many orders are in each status today. The adhoc schema is for exploratory
-- models analysts share before they graduate to analytics.
select
    status,
    count(*) as orders,
    sum(amount) as amount
from {{ ref('fct_orders') }}
group by status
