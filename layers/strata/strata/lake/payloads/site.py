"""The Site state: after the run's report (and its alert, when the run failed), the site is
built and published; its outcome is recorded in the report, never the run's verdict."""

from __future__ import annotations

from pydantic import Field

from strata.lake.payloads.base import Payload


class SiteInput(Payload):
    """The Site state's Payload. ``report_key`` is None when no report could be written (the
    failure path's ReportNotWritten): the site is still built, with nowhere to record it."""

    execution_name: str
    report_key: str | None = None


class SiteOutput(Payload):
    """What the execution keeps of the site step: small, no page list (a state stays under
    256 KB)."""

    status: str  # built | reused | failed
    pages: int = 0
    problems: int = 0
    seconds: float = 0.0
    error: str | None = None
    location: str = Field("", description="where the site was published")
