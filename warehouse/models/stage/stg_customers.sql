-- One row per customer: the latest delivery wins. The CRM re-sends a customer in the next
-- day's file when it changes, and SFTP lands each file's bytes once, but a corrected file is a
-- new delivery: every version of a customer reaches cleansed, and only the latest one is kept
-- here (macros/latest_version.sql).
with versions as (
    {{ latest_version(source('lake', 'customers'), 'customer_id') }}
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
