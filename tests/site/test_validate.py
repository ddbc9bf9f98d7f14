"""`strata validate` reads every dashboard: a missing table or a chart on a missing column fails
with the page's file and line, before any data exists."""

from __future__ import annotations

from conftest import write_page

from strata.site.validate import dashboard_problems
from strata_dev.cli.main import main

GOOD = """```sql revenue
select order_date, channel, sum(revenue) as revenue
from analytics.daily_revenue
group by order_date, channel
```

<LineChart data={revenue} x=order_date y=revenue series=channel />
"""


def test_the_repository_dashboards_are_valid(ctx, with_dashboards):
    assert (with_dashboards / "dashboards" / "overview.md").exists()
    assert dashboard_problems(ctx) == []


def test_a_query_on_a_missing_table_names_the_file_and_the_line(ctx, project_dir):
    write_page(project_dir, "broken.md", GOOD.replace("analytics.daily_revenue", "analytics.nope"))
    problems = [str(p) for p in dashboard_problems(ctx)]
    assert problems == [
        "dashboards/broken.md:3: query revenue reads analytics.nope, which is no model, "
        "source table or strata_meta table"
    ]


def test_a_chart_on_a_missing_column_names_the_file_and_the_line(ctx, project_dir):
    write_page(project_dir, "broken.md", "\n\n" + GOOD.replace("y=revenue", "y=revnue"))
    problems = [str(p) for p in dashboard_problems(ctx)]
    assert problems == [
        "dashboards/broken.md:9: <LineChart> y=revnue: query revenue returns no column "
        "'revnue' (it returns order_date, channel, revenue)"
    ]


def test_run_report_queries_are_checked_on_the_reports_tables(ctx, project_dir):
    write_page(
        project_dir,
        "quality.md",
        "```sql s\nselect source, status from strata_meta.sources\n```\n"
        "<DataTable data={s} columns=source,colour status=status />\n"
        "```sql t\nselect * from strata_meta.nothing\n```\n",
    )
    problems = [str(p) for p in dashboard_problems(ctx)]
    assert problems == [
        "dashboards/quality.md:4: <DataTable> columns=colour: query s returns no column "
        "'colour' (it returns source, status)",
        "dashboards/quality.md:6: query t reads strata_meta.nothing, which is no model, "
        "source table or strata_meta table",
    ]


def test_a_query_that_writes_is_refused(ctx, project_dir):
    write_page(project_dir, "write.md", "```sql w\ndelete from analytics.daily_revenue\n```\n")
    problems = [str(p) for p in dashboard_problems(ctx)]
    assert problems == [
        "dashboards/write.md:2: w: only a SELECT query may stand here: the site reads, never writes"
    ]


def test_strata_validate_fails_on_a_broken_dashboard(with_dashboards, capsys):
    project_dir = with_dashboards
    args = ["--project-dir", str(project_dir), "validate"]
    assert main(args) == 0
    assert "dashboards/ pages read only known tables and columns" in capsys.readouterr().out
    write_page(project_dir, "broken.md", GOOD.replace("analytics.daily_revenue", "stage.gone"))
    assert main(args) == 1
    assert "dashboards/broken.md:3: query revenue reads stage.gone" in capsys.readouterr().err
