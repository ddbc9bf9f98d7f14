"""A conversion's failure in full, kept in the artifacts store (``runs/<run>/failures/<object
id>.json``) rather than in the execution state.

The conversion Maps keep each failed file's error name only: its cause (the message and the
stack trace the Lambda runtime reports) can run to kilobytes, and a thousand failing files
would take the state past Step Functions' 256 KB. The convert handler records the failure
before the error propagates; the report reads it back for every failed file.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from strata.errors import ObjectNotFoundError
from strata.lake.keys import failure_key
from strata.lake.payloads import FailedFile, FileOutcome
from strata.storage.base import ObjectStore

log = logging.getLogger(__name__)


@contextmanager
def failures_recorded(store: ObjectStore, run_id: str, source: str, raw_key: str) -> Iterator[None]:
    """Record an error raised inside, then let it propagate unchanged (its class name is what
    the state machine's Retry and Catch match)."""
    try:
        yield
    except Exception as exc:
        record = {
            "source": source,
            "raw_key": raw_key,
            "error": type(exc).__name__,
            "cause": str(exc),
            "traceback": "".join(traceback.format_exception(exc)),
        }
        try:
            store.put_bytes(failure_key(run_id, raw_key), json.dumps(record).encode("utf-8"))
        except Exception:  # the record is a courtesy: never hide the error itself
            log.warning("could not record the failure of %s", raw_key, exc_info=True)
        raise


def with_recorded_cause(store: ObjectStore, run_id: str, result: FileOutcome) -> FileOutcome:
    """A failed file's result with its recorded cause, if the state carried none and the
    record is of the same error (a retried attempt may have failed otherwise first)."""
    if not isinstance(result, FailedFile) or result.cause:
        return result
    key = failure_key(run_id, result.raw_key)
    try:
        record = json.loads(store.get_bytes(key))
    except ObjectNotFoundError:
        return result
    if record.get("error") != result.error:
        return result
    return result.model_copy(update={"cause": record.get("cause"), "failure_key": key})
