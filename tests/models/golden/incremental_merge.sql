-- mode: incremental, counts rows: True
CREATE TEMP TABLE orders__strata_delta AS
SELECT * FROM (
select order_id, customer_id, amount, updated_at from stage.stg_orders
where updated_at > (select max(updated_at) from marts.orders)
) AS strata_new
QUALIFY ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_id) = 1
;
MERGE INTO marts.orders USING orders__strata_delta AS strata_new
ON orders.order_id = strata_new.order_id
WHEN MATCHED THEN UPDATE SET customer_id = strata_new.customer_id, amount = strata_new.amount, updated_at = strata_new.updated_at
WHEN NOT MATCHED THEN INSERT (order_id, customer_id, amount, updated_at) VALUES (strata_new.order_id, strata_new.customer_id, strata_new.amount, strata_new.updated_at)
;
SELECT COUNT(*) AS strata_rows FROM orders__strata_delta
