"""dbt's dialect-neutral macros render Redshift SQL that the local twin runs with the results
of the same thing written by hand for Redshift."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from strata.models import compile_for
from strata.project import Project
from strata.warehouse.config import DuckDBConfig
from strata.warehouse.duckdb import DuckDBWarehouse

BASE = {
    "dbt_project.yml": "name: shop\n",
    "profiles.yml": "shop:\n  outputs:\n    dev: {type: duckdb}\n",
}
D1, D2 = "date '2024-01-31'", "date '2024-03-01'"
T1, T2 = "timestamp '2024-01-31 10:59:00'", "timestamp '2024-02-17 12:00:00'"

CASES = {
    "datediff_day": (f'dbt.datediff("{D1}", "{D2}", "day")', f"{D2} - {D1}"),
    "datediff_month": (
        f'dbt.datediff("{D1}", "{D2}", \'month\')',
        f"(extract(year from {D2}) - extract(year from {D1})) * 12 "
        f"+ extract(month from {D2}) - extract(month from {D1})",
    ),
    # Hour boundaries crossed, as Redshift counts them (not whole hours elapsed: 409).
    "datediff_unprefixed": (
        f'datediff("{T1}", "{T2}", \'hour\')',
        f"cast((extract(epoch from date_trunc('hour', {T2})) "
        f"- extract(epoch from date_trunc('hour', {T1}))) / 3600 as bigint)",
    ),
    "dateadd_month": (f'dbt.dateadd("month", 1, "{D1}")', f"add_months({D1}, 1)"),
    "dateadd_day": (f"dateadd('day', -2, \"{T1}\")", f"{T1} - interval '2 days'"),
    "date_trunc_month": (
        f'dbt.date_trunc("month", "{T2}")',
        f"cast(to_date(to_char({T2}, 'YYYY-MM') || '-01', 'YYYY-MM-DD') as timestamp)",
    ),
    "safe_cast": ('dbt.safe_cast("\'12.345\'", "numeric(10,2)")', "'12.345'::numeric(10,2)"),
    "type_string": ("cast(42 as {{ dbt.type_string() }}) || ''", "'42'"),
    "type_int": ("cast('7' as {{ dbt.type_int() }})", "'7'::int4"),
    "type_bigint": ("cast('9000000000' as {{ type_bigint() }})", "'9000000000'::int8"),
    "type_float": ("cast('0.5' as {{ dbt.type_float() }})", "'0.5'::double precision"),
    "type_numeric": ("cast('1.5' as {{ dbt.type_numeric() }})", "'1.5'::decimal(28,6)"),
    "type_timestamp": (
        "cast('2024-01-31 10:59:00' as {{ dbt.type_timestamp() }})",
        T1,
    ),
    "type_boolean": ("cast('true' as {{ dbt.type_boolean() }})", "true"),
}


def _expression(text: str) -> str:
    return text if "{{" in text else "{{ " + text + " }}"


@pytest.fixture(scope="module")
def twin():
    warehouse = DuckDBWarehouse(DuckDBConfig(path=":memory:"))
    yield warehouse
    warehouse.close()


def compiled_sql(ctx, select: str) -> str:
    files = {**BASE, "models/m.sql": select}
    project = Project(contracts=ctx.project.contracts, warehouse_files=files)
    return compile_for(project, ctx.settings).model("m").compiled_sql


def test_each_built_in_runs_on_the_twin_as_the_hand_written_redshift_does(ctx, twin):
    columns = ",\n".join(
        f"{_expression(macro)} as {name}, {by_hand} as {name}_by_hand"
        for name, (macro, by_hand) in CASES.items()
    )
    sql = compiled_sql(ctx, f"select\n{columns}")
    result = twin.run(sql)
    row = dict(zip(result.columns, result.rows[0], strict=True))
    for name in CASES:
        assert row[name] == row[f"{name}_by_hand"], name
        assert type(row[name]) is type(row[f"{name}_by_hand"]), name


def test_the_built_ins_render_as_dbt_redshift_renders_them(ctx):
    sql = compiled_sql(
        ctx,
        "select {{ dbt.datediff('a', 'b', 'day') }}, {{ dbt.dateadd('month', 3, 'd') }}, "
        "{{ dbt.date_trunc('week', 'd') }}, {{ dbt.safe_cast('x', dbt.type_string()) }}",
    )
    assert sql == (
        "select datediff(day, a, b), dateadd(month, 3, d), date_trunc('week', d), "
        "cast(x as varchar)"
    )


def test_current_timestamp_is_utc_without_a_time_zone_on_the_twin(ctx, twin):
    sql = compiled_sql(ctx, "select {{ dbt.current_timestamp() }} as now")
    (now,) = twin.run(sql).rows[0]
    assert now.tzinfo is None
    assert abs((datetime.now(UTC).replace(tzinfo=None) - now).total_seconds()) < 60
