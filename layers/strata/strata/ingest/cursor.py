"""The incremental cursor of an API source: the watermark (the highest cursor value landed so
far) and the request parameter derived from it (minus the lookback window)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from strata.contracts.ingestion import IncrementalCursor
from strata.ingest.pages import get_path


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def cursor_value(config: IncrementalCursor, value: Any) -> datetime | int | None:
    """A record's cursor as a comparable value; None when absent or unreadable."""
    return _timestamp(value) if config.type == "timestamp" else _integer(value)


def highest(config: IncrementalCursor, records: list[Any], current: str | None) -> str | None:
    """The watermark after these records: the highest cursor among them and ``current``."""
    best = cursor_value(config, current) if current is not None else None
    for record in records:
        value = cursor_value(config, get_path(record, config.cursor_field))
        if value is not None and (best is None or value > best):  # type: ignore[operator]
            best = value
    return None if best is None else render(best)


def render(value: datetime | int) -> str:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")  # fractions only when there are some
    return str(value)


def request_value(config: IncrementalCursor, watermark: str | None) -> str:
    """What the parameter carries: the initial value on a first run, else the watermark minus
    the lookback window."""
    if watermark is None:
        return config.initial_value
    value = cursor_value(config, watermark)
    if isinstance(value, datetime):
        shifted = value - timedelta(seconds=config.lookback)
        if config.param_format:
            return shifted.strftime(config.param_format)
        return shifted.isoformat().replace("+00:00", "Z")  # fractions only when there are some
    if isinstance(value, int):
        return str(value - config.lookback)
    return watermark
