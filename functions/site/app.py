"""The Site step, after the run's report: render the dashboards and the data docs and publish
them to the private site bucket. Never fails the run: a failure is a warning in the report."""

import time
from typing import Any

from strata.lake.payloads import SiteInput, SiteOutput
from strata.observability import lambda_entry
from strata.runtime import current
from strata.site.publish import publish_after_run

# The site stops querying this long before the function's timeout, to write what it has.
MARGIN_SECONDS = 60.0


def deadline(context: Any) -> float | None:
    """The function's end, on the ``time.monotonic()`` clock (None: no Lambda context)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    return time.monotonic() + remaining() / 1000 - MARGIN_SECONDS


@lambda_entry(SiteInput, correlation_id_path="execution_name")
def lambda_handler(event: SiteInput, context: Any) -> SiteOutput:
    return publish_after_run(current(), event.report_key, deadline=deadline(context))
