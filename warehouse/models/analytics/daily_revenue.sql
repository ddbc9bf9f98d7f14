-- Revenue by order day (UTC) and marketing channel. Cancelled and returned orders count as
-- orders but bring no revenue.
select
    order_date,
    channel,
    count(*) as orders,
    count(distinct customer_id) as customers,
    sum(case when status in ('cancelled', 'returned') then 0 else amount end) as revenue
from {{ ref('stg_orders') }}
group by order_date, channel
