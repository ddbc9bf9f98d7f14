-- mode: table, counts rows: True
DROP TABLE IF EXISTS marts.revenue__strata_new
;
CREATE TABLE marts.revenue__strata_new DISTSTYLE KEY DISTKEY (customer_id) COMPOUND SORTKEY (customer_id, day) AS
select customer_id, sum(amount) as revenue from stage.stg_orders group by 1
;
DROP TABLE marts.revenue
;
ALTER TABLE marts.revenue__strata_new RENAME TO revenue
;
COMMENT ON TABLE marts.revenue IS 'Revenue per customer, "net" of what\'s returned.'
;
COMMENT ON COLUMN marts.revenue.revenue IS 'Sum of the amounts.'
;
SELECT COUNT(*) AS strata_rows FROM marts.revenue
