"""The data-quality page's freshness table: `strata_meta.freshness`, one row per source, its
last delivery against its SLA, coloured as the page colours statuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from strata.ingest.raw import queue_for_conversion
from strata.site.meta import load


def test_the_freshness_table_judges_every_source_against_its_sla(ctx):
    now = datetime.now(UTC)
    queue_for_conversion(ctx.ports.state, "orders", "orders/a.csv", now - timedelta(hours=1))
    queue_for_conversion(ctx.ports.state, "shipments", "shipments/b", now - timedelta(hours=27))
    database = load(ctx)
    try:
        result = database.run(
            "select source, freshness, status, warn_after, error_after, age_hours "
            "from strata_meta.freshness order by source"
        )
    finally:
        database.close()

    rows = {row[0]: row[1:] for row in result.rows}
    assert set(rows) == set(ctx.project.contracts)
    assert rows["orders"][:4] == ("ok", "green", "26h", "50h")
    assert rows["shipments"][:2] == ("warn", "amber") and rows["shipments"][4] == 27.0
    assert rows["customers"][:2] == ("error", "red")
