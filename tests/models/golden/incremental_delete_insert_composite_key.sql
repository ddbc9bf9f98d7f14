-- mode: incremental, counts rows: True
CREATE TEMP TABLE orders__strata_delta AS
SELECT * FROM (
select order_id, customer_id, amount, updated_at from stage.stg_orders
where updated_at > (select max(updated_at) from marts.orders)
) AS strata_new
QUALIFY ROW_NUMBER() OVER (PARTITION BY order_id, customer_id ORDER BY order_id, customer_id) = 1
;
DELETE FROM marts.orders USING orders__strata_delta
WHERE orders.order_id = orders__strata_delta.order_id AND orders.customer_id = orders__strata_delta.customer_id
;
INSERT INTO marts.orders (order_id, customer_id, amount, updated_at)
SELECT order_id, customer_id, amount, updated_at FROM orders__strata_delta
;
SELECT COUNT(*) AS strata_rows FROM orders__strata_delta
