-- One row per order: the latest version received (the shop re-exports an order when its
-- status changes). See macros/latest_version.sql.
with versions as (
    {{ latest_version(source('lake', 'orders'), 'order_id') }}
)

select
    order_id,
    customer_id,
    ordered_at,
    cast(ordered_at as date) as order_date,
    status,
    channel,
    amount,
    currency,
    _ingested_at as updated_at
from versions
