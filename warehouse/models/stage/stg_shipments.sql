-- One row per shipment: the latest version received (the carrier re-sends a shipment each time
-- its status changes; macros/latest_version.sql).
with versions as (
    {{ latest_version(source('lake', 'shipments'), 'shipment_id') }}
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
