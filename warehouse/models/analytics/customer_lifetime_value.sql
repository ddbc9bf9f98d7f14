-- Customer lifetime value: every customer's orders and revenue to date, first and last order,
-- and average order value. Cancelled and returned orders bring no revenue.
{{ config(dist='customer_id', sort='customer_id') }}

select
    customer_id,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date,
    count(*) as orders,
    sum(revenue) as lifetime_revenue,
    sum(revenue) / nullif(sum(case when revenue > 0 then 1 else 0 end), 0) as average_order_value,
    {{ dbt.datediff('min(order_date)', 'max(order_date)', 'day') }} as tenure_days
from {{ ref('fct_orders') }}
group by customer_id
