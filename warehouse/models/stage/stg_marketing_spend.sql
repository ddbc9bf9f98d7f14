-- One row per day, channel and campaign: the latest upload wins (the marketing team re-uploads
-- the month's workbook when the ad platforms restate their costs).
with versions as (
    select
        spend_date,
        channel,
        campaign,
        spend,
        currency,
        _ingested_at,
        row_number() over (
            partition by spend_date, channel, campaign
            order by _ingested_at desc, _source_file desc, _row_number desc
        ) as version_rank
    from {{ source('lake', 'marketing_spend') }}
)

select
    spend_date,
    channel,
    coalesce(campaign, '(none)') as campaign,
    spend,
    currency,
    _ingested_at as updated_at
from versions
where version_rank = 1
