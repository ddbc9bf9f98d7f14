{#- One row per key: the latest version received of each. A source re-sends a row when it
    changes, and every version reaches cleansed. Files land oldest delivery first, each at its
    own time, so the latest `_ingested_at` is the latest delivery; within one file, the last
    row wins. `key` is a column or a list of columns. Used by the stage models. -#}
{% macro latest_version(relation, key) -%}
select *
from (
    select
        *,
        row_number() over (
            partition by {{ key if key is string else key | join(', ') }}
            order by _ingested_at desc, _source_file desc, _row_number desc
        ) as version_rank
    from {{ relation }}
) as versions
where version_rank = 1
{%- endmacro %}
