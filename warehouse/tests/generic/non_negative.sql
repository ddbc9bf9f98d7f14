{#- A generic test (dbt's {% test %} block), used from the models' YAML like not_null: the
    rows where the column is below zero fail. -#}
{% test non_negative(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0
{% endtest %}
