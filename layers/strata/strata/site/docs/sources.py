"""A source's page: its contract (kind, schedule, owner, fields, rules, key, partitioning), its
last delivery and how fresh it is against the project's freshness settings."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from strata.contracts.model import (
    CsvFormat,
    ExcelFormat,
    JsonFormat,
    QualityRule,
    SourceContract,
)
from strata.lake.keys import RawKey
from strata.models.config import Freshness as FreshnessConfig
from strata.models.config import Threshold
from strata.site.docs.model import CheckResult, ColumnDoc, Freshness, SourceDoc
from strata.state.base import Item

RUN_ID_TIME = "%Y%m%dT%H%M%SZ"


def source_doc(
    contract: SourceContract,
    deliveries: list[Item],
    attempt: Item | None,
    freshness: FreshnessConfig | None,
    check: CheckResult | None,
    now: datetime,
) -> SourceDoc:
    """``deliveries`` are the source's raw objects the state knows (converted or pending)."""
    last_key, last_at = last_delivery(deliveries)
    return SourceDoc(
        name=contract.name,
        file=f"sources/{contract.name}.yaml",
        description=contract.description,
        owner=contract.owner,
        kind=contract.kind,
        schedule=contract.schedule,
        origin=origin(contract),
        format=format_summary(contract),
        timezone=contract.timezone,
        columns=[
            ColumnDoc(
                name=column.name,
                type=column.type,
                description=column.description,
                nullable=column.nullable,
                source_name=column.source_name,
            )
            for column in contract.columns
        ],
        primary_key=list(contract.primary_key),
        partitioning=partitioning_summary(contract),
        rules=[rule_summary(rule) for rule in contract.quality],
        schema_change=contract.schema_change,
        reject_threshold=contract.reject_threshold,
        last_delivery=last_at,
        last_raw_key=last_key,
        last_attempt=attempt,
        freshness=freshness_of(last_at, freshness, check, now),
    )


def origin(contract: SourceContract) -> str:
    """Where deliveries come from, without anything secret (an API's query string may hold a
    key, so only its scheme, host and path are shown)."""
    if contract.api is not None:
        url = urlsplit(contract.api.url)
        return f"{url.scheme}://{url.netloc}{url.path}"
    if contract.sftp is not None:
        return f"sftp://{contract.sftp.host}/{contract.sftp.path.lstrip('/')}"
    if contract.s3_drop is not None:
        return f"landing/{contract.s3_drop.prefix}"
    return ""


def format_summary(contract: SourceContract) -> str:
    shape = contract.format
    if isinstance(shape, CsvFormat):
        header = "with a header" if shape.header else "without a header"
        return f"csv, delimiter {shape.delimiter!r}, {header}, encoding {shape.encoding}"
    if isinstance(shape, JsonFormat):
        path = f", records at {shape.records_path}" if shape.records_path else ""
        return f"{shape.type}{path}"
    if isinstance(shape, ExcelFormat):
        return f"xlsx, sheet {shape.sheet or '(first with data)'}, header row {shape.header_row}"
    return shape.type


def partitioning_summary(contract: SourceContract) -> str:
    part = contract.partitioning
    basis = f"the event date of {part.column}" if part.by == "event_date" else "the day it landed"
    return f"{contract.partition_key}: one partition per {part.granularity}, from {basis}"


def rule_summary(rule: QualityRule) -> str:
    if rule.rule == "accepted_values":
        values = ", ".join(str(value) for value in rule.values or [])
        return f"{rule.column} is one of: {values}"
    if rule.rule == "range":
        bounds = [f">= {rule.min:g}"] if rule.min is not None else []
        bounds += [f"<= {rule.max:g}"] if rule.max is not None else []
        return f"{rule.column} {' and '.join(bounds)}"
    if rule.rule == "regex":
        return f"{rule.column} matches {rule.pattern}"
    if rule.rule == "unique":
        return f"{rule.column} is unique within a file"
    return f"{rule.column} is not empty"


def last_delivery(deliveries: list[Item]) -> tuple[str | None, datetime | None]:
    """The newest raw object and when it landed (its ingest run's start, from the raw key)."""
    newest: tuple[str, str] | None = None
    for item in deliveries:
        key = str(item.get("raw_key") or "")
        try:
            parsed = RawKey.parse(key)
        except ValueError:
            continue
        if newest is None or parsed.run_id > newest[0]:
            newest = (parsed.run_id, key)
    if newest is None:
        return None, None
    at = datetime.strptime(newest[0].split("-")[0], RUN_ID_TIME).replace(tzinfo=UTC)
    return newest[1], at


def freshness_of(
    last: datetime | None,
    config: FreshnessConfig | None,
    check: CheckResult | None,
    now: datetime,
) -> Freshness:
    warn = config.warn_after if config else None
    error = config.error_after if config else None
    age = (now - last).total_seconds() if last else None
    if warn is None and error is None:
        status = "unchecked"
    elif age is None:
        status = "never"
    elif error is not None and age > error.seconds:
        status = "error"
    elif warn is not None and age > warn.seconds:
        status = "warn"
    else:
        status = "fresh"
    return Freshness(status, age, _label(warn), _label(error), check)


def _label(threshold: Threshold | None) -> str | None:
    if threshold is None:
        return None
    return f"{threshold.count} {threshold.period}{'s' if threshold.count != 1 else ''}"
