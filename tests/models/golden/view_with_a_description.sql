-- mode: view, counts rows: False
CREATE OR REPLACE VIEW stage.stg_orders AS
select order_id, customer_id, amount, _ingested_at as updated_at
from cleansed.orders
-- a trailing comment
WITH NO SCHEMA BINDING
;
COMMENT ON VIEW stage.stg_orders IS 'Orders as received.'
