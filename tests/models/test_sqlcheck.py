"""Models are read as Redshift reads them, when they compile: `strata validate`, a run's
planner and `strata run` refuse SQL that the local DuckDB would have run but Redshift would
refuse, naming the model's file and the line in it (not the line of the rendered SQL)."""

from __future__ import annotations

import pytest

from strata.errors import ModelError
from strata.models import compile_for
from strata.models.sqlcheck import _MARKER, mark_lines, template_line
from strata.project import Project
from strata_dev.cli.main import main

BASE = {"dbt_project.yml": "name: shop\n"}
FILE = "warehouse/models/m.sql"
# A config() over several lines and a blank line: Jinja drops them, so the rendered SQL's
# lines are not the file's.
HEADER = "-- A model.\n{{ config(\n    materialized='table',\n    sort='id'\n) }}\n\n"


def refusal(ctx, sql: str) -> str:
    files = {**BASE, "models/m.sql": sql}
    project = Project(contracts=ctx.project.contracts, warehouse_files=files)
    with pytest.raises(ModelError) as caught:
        compile_for(project, ctx.settings)
    return str(caught.value)


def line_of(text: str, needle: str) -> int:
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


@pytest.mark.parametrize(
    ("body", "needle", "message"),
    [
        ("select order_id,, amount\n", ",,", "syntax error: nothing between ','"),
        ("select order_id, amount,\n", "amount,", "a doubled or trailing comma"),
        ("select order_id amount status\n", "status", "syntax error: Invalid expression"),
        ("select arg_max(order_id, amount) as o\n", "arg_max", "function arg_max() is not"),
        ("select count_if(amount > 0) as n\n", "count_if", "function count_if() is not"),
        ("select strftime(ordered_at, '%Y') as y\n", "strftime", "function strftime() is not"),
        ("select order_id\n", None, None),  # the control: the same shape is accepted
        ("select cast(amount as decimal(40, 2)) as a\n", "decimal(40", "1 to 38 digits"),
        ("select status[1] as s\n", "status[1]", "subscript [...] (list indexing)"),
    ],
)
def test_sql_redshift_would_refuse_is_refused_at_the_files_line(ctx, body, needle, message):
    sql = HEADER + body + "from {{ source('lake', 'orders') }}\n"
    if needle is None:
        files = {**BASE, "models/m.sql": sql}
        project = Project(contracts=ctx.project.contracts, warehouse_files=files)
        assert compile_for(project, ctx.settings).model("m").materialized == "table"
        return

    error = refusal(ctx, sql)

    assert error.startswith(f"{FILE}:{line_of(sql, needle)}: "), error
    assert message in error


def test_group_by_all_is_refused_at_its_line(ctx):
    sql = HEADER + "select status, count(*) as n\nfrom {{ source('lake', 'orders') }}\ngroup by all"

    error = refusal(ctx, sql)

    assert error.startswith(f"{FILE}:{line_of(sql, 'group by all')}: GROUP BY ALL")


def test_the_incremental_rendering_and_singular_tests_are_checked_too(ctx):
    sql = (
        "{{ config(materialized='incremental') }}\nselect order_id from "
        "{{ source('lake', 'orders') }}\n{% if is_incremental() %}\n"
        "where order_id > (select max_by(order_id, amount) from {{ this }})\n{% endif %}"
    )
    assert refusal(ctx, sql).startswith(f"{FILE}:4: function max_by()")

    files = {**BASE, "models/m.sql": "select 1 as id", "tests/t.sql": "\nselect id,\nfrom x"}
    project = Project(contracts=ctx.project.contracts, warehouse_files=files)
    with pytest.raises(ModelError, match=r"^warehouse/tests/t\.sql:2: syntax error"):
        compile_for(project, ctx.settings)


def test_marked_lines_name_the_template_line_of_every_rendered_line():
    template = "a\n{{ config(\n  x=1\n) }}\nb {{ 'm' }}\nc\n{% if false %}\nd\n{% endif %}\ne"
    import jinja2

    rendered = jinja2.Environment().from_string(mark_lines(template)).render(config=dict)
    lines = [template_line(rendered, n) for n in range(1, len(rendered.splitlines()) + 1)]
    texts = [_MARKER.sub("", line) for line in rendered.splitlines()]
    assert list(zip(texts, lines, strict=True)) == [
        ("a", 1),
        ("{'x': 1}", 4),
        ("b m", 5),
        ("c", 6),
        ("", 9),
        ("e", 10),
    ]


def test_validate_and_run_refuse_a_broken_model_with_its_path_and_line(project_dir, capsys):
    model = project_dir / "warehouse" / "models" / "analytics" / "daily_revenue.sql"
    text = model.read_text().replace("    channel,\n", "    channel,,\n", 1)
    model.write_text(text)
    where = f"warehouse/models/analytics/daily_revenue.sql:{line_of(text, 'channel,,')}: "

    assert main(["--project-dir", str(project_dir), "validate"]) == 1
    assert where + "syntax error" in capsys.readouterr().err
    assert main(["--project-dir", str(project_dir), "run"]) == 1
    assert where + "syntax error" in capsys.readouterr().err
    assert not (project_dir / "lake").exists()
