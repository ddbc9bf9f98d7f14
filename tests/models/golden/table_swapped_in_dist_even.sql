-- mode: table, counts rows: True
DROP TABLE IF EXISTS marts.even__strata_new
;
CREATE TABLE marts.even__strata_new DISTSTYLE EVEN AS
select 1 as one
;
DROP TABLE marts.even
;
ALTER TABLE marts.even__strata_new RENAME TO even
;
SELECT COUNT(*) AS strata_rows FROM marts.even
