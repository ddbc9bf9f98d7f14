-- mode: incremental, counts rows: True
CREATE TEMP TABLE orders__strata_delta AS
SELECT * FROM (
select order_id, customer_id, amount, updated_at from stage.stg_orders
where updated_at > (select max(updated_at) from marts.orders)
) AS strata_new
;
INSERT INTO marts.orders (order_id, customer_id, amount, updated_at)
SELECT order_id, customer_id, amount, updated_at FROM orders__strata_delta
;
SELECT COUNT(*) AS strata_rows FROM orders__strata_delta
