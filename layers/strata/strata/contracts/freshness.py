"""A source's freshness SLA: how often it delivers, and when a missing delivery is late.

Durations are written as a count and a unit: ``90m``, ``26h``, ``1d``, ``2w``.
"""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import Field, field_validator, model_validator

from strata.contracts.base import StrictModel

UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")


def parse_duration(text: str) -> timedelta:
    """``26h`` → 26 hours; a ValueError naming the accepted forms otherwise."""
    match = DURATION.match(text)
    if not match or int(match[1]) == 0:
        raise ValueError(
            f"{text!r} is not a duration: write a positive count and a unit, m, h, d or w "
            "(`90m`, `26h`, `1d`)"
        )
    return timedelta(**{UNITS[match[2]]: int(match[1])})


def format_duration(value: timedelta) -> str:
    """The shortest exact spelling of a duration: ``26h``, ``2d``, ``50h``, ``65m``."""
    minutes = int(value.total_seconds() // 60)
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


class Freshness(StrictModel):
    """When the source's data is expected, and when its absence is late. Checked on every run
    (the run report's `freshness` section) and daily on AWS (a late source alerts)."""

    expected_every: str = Field(
        description=(
            "How often a delivery is expected (`1d` for a nightly file, `1h` for an hourly "
            "API pull)."
        )
    )
    warn_after: str | None = Field(
        None,
        description=(
            "Age of the last delivery after which the source is `warn` (late). Default: "
            "`expected_every` and a twelfth (`1d` gives `26h`)."
        ),
    )
    error_after: str | None = Field(
        None,
        description=(
            "Age of the last delivery after which the source is `error` (missing). Default: "
            "twice `expected_every` and a twelfth (`1d` gives `50h`)."
        ),
    )

    @field_validator("expected_every", "warn_after", "error_after")
    @classmethod
    def _duration(cls, text: str | None) -> str | None:
        if text is not None:
            parse_duration(text)
        return text

    @model_validator(mode="after")
    def _ordered(self) -> Freshness:
        if self.warn_limit >= self.error_limit:
            raise ValueError(
                f"freshness: warn_after ({format_duration(self.warn_limit)}) must be shorter "
                f"than error_after ({format_duration(self.error_limit)})"
            )
        return self

    @property
    def expected(self) -> timedelta:
        return parse_duration(self.expected_every)

    @property
    def warn_limit(self) -> timedelta:
        if self.warn_after is not None:
            return parse_duration(self.warn_after)
        return self.expected * 13 / 12

    @property
    def error_limit(self) -> timedelta:
        if self.error_after is not None:
            return parse_duration(self.error_after)
        return self.expected * 25 / 12
