"""Each source's freshness against its contract's SLA: the age of its last delivery (the newest
raw object it landed, :mod:`strata.lake.deliveries`) and a status.

- ``ok``: delivered within ``warn_after``;
- ``warn``: older than ``warn_after`` (late);
- ``error``: older than ``error_after``, or never delivered (missing);
- ``unchecked``: the contract sets no ``freshness``; the last delivery is still shown.

Judged on every run (the run report's ``freshness`` section) and daily on AWS by the freshness
function, which alerts when a source is late (:func:`alert`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from strata.contracts.freshness import format_duration
from strata.contracts.model import SourceContract
from strata.lake.deliveries import last_delivery
from strata.runtime import Context

Status = Literal["ok", "warn", "error", "unchecked"]
LATE: tuple[Status, ...] = ("warn", "error")


@dataclass(frozen=True)
class SourceFreshness:
    """One source's freshness, as the report, the CLI and the data-quality page show it."""

    source: str
    status: Status
    last_delivery: str | None  # ISO time of the newest raw object, UTC
    age_hours: float | None
    expected_every: str | None
    warn_after: str | None
    error_after: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(contract: SourceContract, delivered: datetime | None, now: datetime) -> SourceFreshness:
    """A source's status from the time of its last delivery (None: never delivered)."""
    sla = contract.freshness
    age = None if delivered is None else now - delivered
    limits: dict[str, str | None] = {
        "expected_every": None,
        "warn_after": None,
        "error_after": None,
    }
    if sla is None:
        status: Status = "unchecked"
        reason = "no freshness SLA in the contract"
    else:
        limits = {
            "expected_every": sla.expected_every,
            "warn_after": format_duration(sla.warn_limit),
            "error_after": format_duration(sla.error_limit),
        }
        status, reason = _status(age, sla.warn_limit, sla.error_limit)
    return SourceFreshness(
        source=contract.name,
        status=status,
        last_delivery=None if delivered is None else delivered.astimezone(UTC).isoformat(),
        age_hours=None if age is None else round(age.total_seconds() / 3600, 1),
        reason=reason,
        **limits,
    )


def _age(age: Any) -> str:
    """An age as a reader says it, rounded down: ``45m``, ``30h``, ``4d`` (``format_duration``
    spells a contract's exact durations, and would say ``1804m`` for 30 hours and 4 minutes)."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 120:
        return f"{minutes}m"
    if minutes < 72 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // (24 * 60)}d"


def _status(age: Any, warn: Any, error: Any) -> tuple[Status, str]:
    if age is None:
        return "error", "no delivery yet"
    spelled = _age(age)
    if age > error:
        return "error", f"last delivery {spelled} ago, over error_after {format_duration(error)}"
    if age > warn:
        return "warn", f"last delivery {spelled} ago, over warn_after {format_duration(warn)}"
    return "ok", f"last delivery {spelled} ago"


def check_freshness(
    ctx: Context, sources: list[str] | None = None, now: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Every (or each named) source's freshness by name, in name order."""
    now = now or datetime.now(UTC)
    names = sorted(sources if sources is not None else ctx.project.contracts)
    results = {}
    for name in names:
        delivery = last_delivery(ctx.ports.state, ctx.ports.raw, name)
        received = None if delivery is None else delivery.received_at
        results[name] = judge(ctx.project.contract(name), received, now).to_dict()
    return results


def late(freshness: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: row for name, row in freshness.items() if row["status"] in LATE}


def alert(freshness: dict[str, dict[str, Any]], environment: str) -> tuple[str, str] | None:
    """The alert's subject and message for the late sources, or None when none is late."""
    overdue = late(freshness)
    if not overdue:
        return None
    worst = "error" if any(row["status"] == "error" for row in overdue.values()) else "warn"
    count = len(overdue)
    subject = f"Strata {environment}: {count} source{'s' * (count != 1)} late ({worst})"
    lines = [f"{name}: {row['status']}, {row['reason']}" for name, row in overdue.items()]
    # SNS subjects are at most 100 characters.
    return subject[:100], "\n".join(lines)


# ``publish(subject, message)``: the alert topic in AWS (the freshness function's).
Publish = Callable[[str, str], None]


def check_and_alert(
    ctx: Context, publish: Publish, sources: list[str] | None = None
) -> dict[str, Any]:
    """The daily check: every source judged, one alert for those that are late."""
    results = check_freshness(ctx, sources)
    message = alert(results, ctx.settings.environment)
    if message is not None:
        publish(*message)
    return {"late": sorted(late(results)), "alerted": message is not None, "freshness": results}
