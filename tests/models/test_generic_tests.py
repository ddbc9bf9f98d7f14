"""Custom generic tests: ``{% test %}`` blocks of tests/generic/, used from YAML like the
built-in tests, run with a sample of their failing rows; mistakes named at file and line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from strata.errors import ModelError
from strata.models import RunOptions, compile_for
from strata.models.executor import execute
from strata.project import Project

BASE = {
    "dbt_project.yml": "name: shop\nmodels:\n  shop:\n    +schema: stage\n",
    "profiles.yml": "shop:\n  outputs:\n    dev: {type: duckdb}\n",
    "models/orders.sql": (
        "select * from (values (1, 10.0, 'a'), (2, -5.0, 'b'), (3, -1.0, 'zz')) "
        "as t (order_id, amount, customer_id)"
    ),
    "models/customers.sql": "select * from (values ('a'), ('b')) as t (customer_id)",
    "tests/generic/at_least.sql": (
        "-- Rows below a floor.\n"
        "{% test at_least(model, column_name, floor=0) %}\n"
        "select {{ column_name }} as below from {{ model }}\n"
        "where {{ column_name }} < {{ floor }}\n"
        "{% endtest %}\n"
    ),
    "tests/generic/known_in.sql": (
        "{% test known_in(model, column_name, parent) %}\n"
        "{{ config(severity='warn') }}\n"
        "select {{ column_name }} from {{ model }}\n"
        "where {{ column_name }} not in (select {{ column_name }} from {{ parent }})\n"
        "{% endtest %}\n"
    ),
}
SCHEMA = """
models:
  - name: orders
    columns:
      - name: amount
        data_tests:
          - at_least
          - at_least:
              arguments: {floor: -2}
      - name: customer_id
        data_tests:
          - known_in:
              arguments:
                parent: ref('customers')
"""


def project_with(ctx, schema: str = SCHEMA, **files: str) -> Project:
    warehouse = {**BASE, "models/schema.yml": schema, **files}
    return Project(contracts=ctx.project.contracts, warehouse_files=warehouse)


def test_a_custom_test_compiles_with_its_arguments_and_its_config(ctx):
    result = compile_for(project_with(ctx), ctx.settings)
    tests = {test.name: test for test in result.tests}
    assert set(tests) == {
        "at_least_orders_amount",
        "at_least_orders_amount_2",
        "known_in_orders_customer_id",
    }
    assert tests["at_least_orders_amount_2"].compiled_sql == (
        "select amount as below from stage.orders\nwhere amount < -2"
    )
    known = tests["known_in_orders_customer_id"]
    assert "from stage.customers" in known.compiled_sql
    assert known.depends_on == ["orders", "customers"]
    assert known.severity == "warn" and tests["at_least_orders_amount"].severity == "error"


def test_custom_tests_run_on_the_warehouse_with_a_sample_of_the_failing_rows(ctx):
    shop = replace(ctx, _project=project_with(ctx))
    summary = execute(shop, "run-generic", RunOptions())
    nodes = {node["name"]: node for node in summary["nodes"]}
    assert nodes["at_least_orders_amount"]["status"] == "fail"
    assert nodes["at_least_orders_amount"]["failures"] == 2
    sample = nodes["at_least_orders_amount"]["sample"]
    assert sorted(float(row["below"]) for row in sample) == [-5, -1]
    assert nodes["at_least_orders_amount_2"]["failures"] == 1
    assert nodes["known_in_orders_customer_id"]["status"] == "warn"
    assert nodes["known_in_orders_customer_id"]["sample"] == [{"customer_id": "zz"}]
    assert summary["status"] == "error"


@pytest.mark.parametrize(
    ("schema", "files", "message"),
    [
        (
            SCHEMA.replace("{floor: -2}", "{flor: -2}"),
            {},
            r"^warehouse/models/schema\.yml:6: test at_least does not take flor",
        ),
        (
            SCHEMA.replace("parent: ref('customers')", "{}"),
            {},
            r"^warehouse/models/schema\.yml:11: test known_in needs parent",
        ),
        (
            SCHEMA,
            {"tests/generic/at_least.sql": "\n{% test at_least(model) %}select 1{% endtest %}"},
            r"^warehouse/tests/generic/at_least\.sql:2: the generic test 'at_least' must take "
            r"column_name",
        ),
        (
            SCHEMA,
            {
                "tests/generic/at_least.sql": (
                    "{% test at_least(model, column_name, floor=0) %}\n"
                    "select * from {{ model }} where {{ nope }}{% endtest %}"
                )
            },
            r"^warehouse/tests/generic/at_least\.sql:2: 'nope' is undefined",
        ),
        (
            SCHEMA,
            {
                "tests/generic/at_least.sql": (
                    "\n{% test at_least(model, column_name, floor=0) %}\n"
                    "select list_value(1) from {{ model }}{% endtest %}"
                )
            },
            r"^warehouse/tests/generic/at_least\.sql:2: .*list_value.*"
            r"\(the SQL test 'at_least' renders for orders\.amount\)",
        ),
        (
            SCHEMA,
            {"tests/generic/at_least.sql": "{% test at_least(model, column_name) %}"},
            r"^warehouse/tests/generic/at_least\.sql:1: Unexpected end of template",
        ),
    ],
    ids=["unknown-argument", "missing-argument", "no-column", "undefined", "not-redshift", "open"],
)
def test_malformed_generic_tests_are_errors_at_file_and_line(ctx, schema, files, message):
    with pytest.raises(ModelError, match=message):
        compile_for(project_with(ctx, schema, **files), ctx.settings)
