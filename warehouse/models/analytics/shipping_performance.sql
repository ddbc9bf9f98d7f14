-- Shipping performance against the promise, per carrier and week shipped (weeks start on
-- Monday): shipments, how many were delivered, how many on or before the promised date, the
-- on-time rate among delivered shipments, and how late the late ones were (in days).
{{ config(sort=['ship_week', 'carrier']) }}

with shipments as (
    select
        carrier,
        cast(date_trunc('week', ship_date) as date) as ship_week,
        delivery_date,
        case
            when delivery_date is null then null
            when delivery_date <= promised_date then 0
            else {{ dbt.datediff('promised_date', 'delivery_date', 'day') }}
        end as late_days
    from {{ ref('stg_shipments') }}
)

select
    ship_week,
    carrier,
    count(*) as shipments,
    count(delivery_date) as delivered,
    sum(case when late_days = 0 then 1 else 0 end) as delivered_on_time,
    sum(case when late_days > 0 then 1 else 0 end) as delivered_late,
    count(*) - count(delivery_date) as in_transit,
    cast(sum(case when late_days = 0 then 1 else 0 end) as decimal(9, 4))
        / nullif(count(delivery_date), 0) as on_time_rate,
    avg(case when late_days > 0 then cast(late_days as decimal(9, 2)) end) as avg_late_days,
    max(late_days) as max_late_days
from shipments
group by ship_week, carrier
