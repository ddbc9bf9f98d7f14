-- One row per day, channel and campaign: the latest upload wins (the marketing team re-uploads
-- the month's workbook when the ad platforms restate their costs; macros/latest_version.sql).
with versions as (
    {{ latest_version(source('lake', 'marketing_spend'), ['spend_date', 'channel', 'campaign']) }}
)

select
    spend_date,
    channel,
    coalesce(campaign, '(none)') as campaign,
    spend,
    currency,
    _ingested_at as updated_at
from versions
