-- Marketing spend against the revenue it brought, per day and channel: a channel appears on a
-- day when it spent or sold. ROAS (return on ad spend) is revenue / spend, NULL without spend
-- (organic). For a month, sum spend and revenue over `activity_month` and divide: never average
-- the daily ROAS.
{{ config(sort=['activity_date', 'channel']) }}

with spend as (
    select spend_date as activity_date, channel, sum(spend) as spend
    from {{ ref('stg_marketing_spend') }}
    group by spend_date, channel
),

revenue as (
    select
        order_date as activity_date,
        coalesce(channel, 'unattributed') as channel,
        count(*) as orders,
        sum(revenue) as revenue
    from {{ ref('fct_orders') }}
    group by order_date, coalesce(channel, 'unattributed')
),

joined as (
    select
        coalesce(s.activity_date, r.activity_date) as activity_date,
        coalesce(s.channel, r.channel) as channel,
        coalesce(s.spend, 0) as spend,
        coalesce(r.orders, 0) as orders,
        coalesce(r.revenue, 0) as revenue
    from spend as s
    full outer join revenue as r
        on s.activity_date = r.activity_date and s.channel = r.channel
)

select
    activity_date,
    cast(date_trunc('month', activity_date) as date) as activity_month,
    channel,
    spend,
    orders,
    revenue,
    revenue - spend as revenue_after_spend,
    case when spend > 0 then cast(revenue as decimal(18, 4)) / spend end as roas
from joined
