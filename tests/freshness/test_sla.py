"""A contract's freshness SLA: durations, defaults, and the status a delivery's age gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from strata.contracts.freshness import Freshness, format_duration, parse_duration
from strata.contracts.loader import load_contracts
from strata.orchestration.freshness import alert, judge

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def test_durations_read_in_minutes_hours_days_and_weeks():
    assert parse_duration("90m") == timedelta(minutes=90)
    assert parse_duration("26h") == timedelta(hours=26)
    assert parse_duration(" 2d ") == timedelta(days=2)
    assert parse_duration("1w") == timedelta(days=7)
    assert [format_duration(parse_duration(d)) for d in ("65m", "26h", "48h", "14d")] == [
        "65m",
        "26h",
        "2d",
        "2w",
    ]


@pytest.mark.parametrize("bad", ["1 day", "0h", "-1h", "26", "h"])
def test_a_malformed_duration_is_refused_naming_the_forms(bad):
    with pytest.raises(ValueError, match=r"not a duration.*m, h, d or w"):
        parse_duration(bad)


def test_warn_and_error_default_from_the_expected_interval():
    sla = Freshness(expected_every="1d")
    assert (format_duration(sla.warn_limit), format_duration(sla.error_limit)) == ("26h", "50h")
    assert Freshness(expected_every="1h", error_after="1d").warn_limit == timedelta(minutes=65)


def test_warn_after_must_come_before_error_after():
    with pytest.raises(ValueError, match=r"warn_after \(2d\) must be shorter than error_after"):
        Freshness(expected_every="1d", warn_after="48h", error_after="2d")


def test_a_bad_freshness_block_names_the_file_and_field(project_dir):
    path = project_dir / "sources" / "orders.yaml"
    text = path.read_text(encoding="utf-8").replace("warn_after: 26h", "warn_after: soon", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match=r"orders\.yaml") as caught:
        load_contracts(project_dir / "sources")
    assert "freshness" in str(caught.value) and "warn_after" in str(caught.value)


@pytest.mark.parametrize(
    ("age", "status"),
    [
        (timedelta(hours=3), "ok"),
        (timedelta(hours=26), "ok"),
        (timedelta(hours=26, minutes=1), "warn"),
        (timedelta(hours=50, minutes=1), "error"),
        (None, "error"),
    ],
)
def test_the_status_follows_the_age_of_the_last_delivery(age, status, project_dir):
    orders = load_contracts(project_dir / "sources")["orders"]
    delivered = None if age is None else NOW - age
    judged = judge(orders, delivered, NOW)
    assert judged.status == status
    assert (judged.warn_after, judged.error_after) == ("26h", "50h")
    assert judged.age_hours == (None if age is None else round(age.total_seconds() / 3600, 1))


def test_a_source_without_sla_shows_its_delivery_and_is_never_late(project_dir):
    orders = load_contracts(project_dir / "sources")["orders"]
    bare = orders.model_copy(update={"freshness": None})
    judged = judge(bare, NOW - timedelta(days=400), NOW)
    assert judged.status == "unchecked" and judged.last_delivery == "2025-10-31T08:00:00+00:00"


def test_the_alert_lists_only_late_sources_and_says_the_worst(project_dir):
    contracts = load_contracts(project_dir / "sources")
    rows = {
        "orders": judge(contracts["orders"], NOW - timedelta(hours=30), NOW).to_dict(),
        "customers": judge(contracts["customers"], NOW - timedelta(hours=1), NOW).to_dict(),
    }
    subject, message = alert(rows, "prod")
    assert subject == "Strata prod: 1 source late (warn)"
    assert message == "orders: warn, last delivery 30h ago, over warn_after 26h"
    rows["customers"] = judge(contracts["customers"], None, NOW).to_dict()
    assert alert(rows, "prod")[0] == "Strata prod: 2 sources late (error)"
    rows = {"customers": judge(contracts["customers"], NOW, NOW).to_dict()}
    assert alert(rows, "prod") is None
