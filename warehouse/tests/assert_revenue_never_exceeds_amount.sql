-- Singular test: rows returned are failures. Revenue is the amount or 0, never more.
select order_id, amount, revenue
from {{ ref('fct_orders') }}
where revenue > amount or revenue < 0
