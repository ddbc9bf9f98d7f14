-- One row per shipment: the latest version received (the carrier re-sends a shipment each time
-- its status changes).
with versions as (
    select
        shipment_id,
        order_id,
        carrier,
        shipped_at,
        promised_date,
        delivered_at,
        status,
        _ingested_at,
        row_number() over (
            partition by shipment_id
            order by _ingested_at desc, _source_file desc, _row_number desc
        ) as version_rank
    from {{ source('lake', 'shipments') }}
)

select
    shipment_id,
    order_id,
    carrier,
    shipped_at,
    cast(shipped_at as date) as ship_date,
    promised_date,
    delivered_at,
    cast(delivered_at as date) as delivery_date,
    status,
    _ingested_at as updated_at
from versions
where version_rank = 1
