-- One row per order, kept up to date incrementally: each run merges only the orders whose
-- latest version arrived since the previous build (`updated_at` is when it was ingested).
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy='merge',
    dist='customer_id',
    sort='order_date'
) }}

select
    order_id,
    customer_id,
    ordered_at,
    order_date,
    status,
    channel,
    amount,
    case when status in ('cancelled', 'returned') then 0 else amount end as revenue,
    currency,
    updated_at
from {{ ref('stg_orders') }}
{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
{% endif %}
