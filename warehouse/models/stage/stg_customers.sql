-- One row per customer: the latest delivery wins. The CRM re-sends a customer in the next
-- day's file when it changes, and SFTP lands each file's bytes once, but a corrected file is a
-- new delivery: every version of a customer reaches cleansed, and only the latest one is kept
-- here. Files land oldest delivery first, each at its own time, so the latest `_ingested_at` is
-- the latest delivery.
with versions as (
    select
        customer_id,
        name,
        city,
        country,
        signup_date,
        email,
        _ingested_at,
        row_number() over (
            partition by customer_id
            order by _ingested_at desc, _source_file desc, _row_number desc
        ) as version_rank
    from {{ source('lake', 'customers') }}
)

select
    customer_id,
    name,
    city,
    country,
    signup_date,
    email,
    _ingested_at as updated_at
from versions
where version_rank = 1
