"""Reading a dashboard page: queries and components with their lines, and every problem named."""

from __future__ import annotations

from strata.site.page import parse_page

PAGE = """---
title: Sales
description: What sold.
---

Revenue was <Value data={totals} value=revenue fmt=eur /> in all.

```sql totals
select sum(revenue) as revenue
from analytics.daily_revenue
```

```sql
select 'shown as code, not run'
```
A line of text
<LineChart data={totals}
    x=order_date
    y="revenue, orders" series=channel />

<BarChart data={totals} x=channel y=revenue stacked />
"""


def test_queries_and_components_keep_the_lines_they_start_on():
    page = parse_page("dashboards/sales.md", PAGE)
    assert page.title == "Sales" and page.description == "What sold."
    assert list(page.queries) == ["totals"]
    assert page.queries["totals"].line == 9  # its first SQL line
    assert "from analytics.daily_revenue" in page.queries["totals"].sql
    tags = [(c.tag, c.line) for c in page.components]
    assert tags == [("Value", 6), ("LineChart", 17), ("BarChart", 21)]
    chart = page.components[1]
    assert chart.options == {
        "data": "totals",
        "x": "order_date",
        "y": "revenue, orders",
        "series": "channel",
    }
    assert chart.columns() == [
        ("series", "channel"),
        ("x", "order_date"),
        ("y", "revenue"),
        ("y", "orders"),
    ]
    assert page.components[2].options["stacked"] == "true"
    assert page.problems == []


def test_each_problem_names_the_line_and_what_to_write():
    page = parse_page(
        "dashboards/bad.md",
        "---\ntitle: Bad\ncolour: red\n---\n"
        "```sql totals\nselect 1 as a\n```\n"
        "```sql totals\nselect 2 as a\n```\n"
        "<Gauge data={totals} />\n"
        "<LineChart data=totals x=a />\n"
        "<BigValue data={totals} value=a fmt=money agg=median />\n",
    )
    found = [(p.line, p.message) for p in page.problems]
    assert (1, "front matter: unknown key 'colour' (keys: description, title)") in found
    assert any(line == 8 and "defined twice (first on line 6)" in m for line, m in found)
    assert any(line == 11 and "unknown component <Gauge>" in m for line, m in found)
    assert (12, "data must name a query in braces: data={totals}") in found
    assert (12, "<LineChart> needs y=") in found
    assert any(line == 13 and m.startswith("fmt=money: not a format") for line, m in found)
    assert any(line == 13 and m.startswith("agg=median: one of") for line, m in found)
    assert str(page.problems[0]).startswith("dashboards/bad.md:")


def test_a_page_without_front_matter_is_titled_by_its_file():
    page = parse_page("dashboards/weekly_sales.md", "Just text.\n")
    assert page.title == "Weekly sales"
    assert page.queries == {} and page.components == []
