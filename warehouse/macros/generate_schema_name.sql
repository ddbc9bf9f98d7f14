{#- Strata's schema naming, for dbt's own tools: prod uses the configured schema, any other
    target prefixes it with the target name. Strata implements the same rule itself
    (strata/models/targets.py); models/ may not define macros. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set name = custom_schema_name or 'public' -%}
    {%- if target.name == 'prod' -%}{{ name }}{%- else -%}{{ target.name }}_{{ name }}{%- endif -%}
{%- endmacro %}
