-- One row per order: the latest version received (the shop re-exports an order when its
-- status changes).
with versions as (
    select
        order_id,
        customer_id,
        ordered_at,
        status,
        channel,
        amount,
        currency,
        _ingested_at,
        row_number() over (
            partition by order_id
            order by _ingested_at desc, _source_file desc, _row_number desc
        ) as version_rank
    from {{ source('lake', 'orders') }}
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
where version_rank = 1
