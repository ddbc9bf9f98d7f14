-- Every sale the tills and stores reported, from the point-of-sale tar and the stores' zip.
select receipt as ticket, amount, _source_file from {{ source('lake', 'pos_exports') }}
union all
select ticket, total as amount, _source_file from {{ source('lake', 'store_sales') }}
