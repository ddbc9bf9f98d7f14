-- mode: table, counts rows: True
DROP TABLE IF EXISTS marts.orders__strata_new
;
CREATE TABLE marts.orders__strata_new AS
select order_id, customer_id, amount, updated_at from stage.stg_orders
;
DROP VIEW marts.orders
;
ALTER TABLE marts.orders__strata_new RENAME TO orders
;
SELECT COUNT(*) AS strata_rows FROM marts.orders
