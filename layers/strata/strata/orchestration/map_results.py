"""The conversions of a run, whichever Map converted them.

An inline Map hands the Report its results in the execution state: a list with one trimmed
result per object. A distributed Map's output is only where its ResultWriter put them,
``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``, the key naming a
``manifest.json`` that lists the result files by child status (``SUCCEEDED``, ``FAILED``,
``PENDING``). Each file is a JSON array of child executions: ``Status``, ``Input`` and
``Output`` (JSON text), ``Error`` and ``Cause`` for a failed one.

Every object Discover listed gets exactly one result: one the Map did not report (a child that
never ran, or whose input was not kept) counts as failed, so its claim is released. A failed
file's cause, which the state does not carry, comes from its failure record
(:mod:`strata.orchestration.failures`).
"""

from __future__ import annotations

import json
from typing import Any

from strata.errors import PipelineError
from strata.lake.keys import items_key
from strata.orchestration.failures import with_recorded_cause
from strata.storage.base import ObjectStore

Result = dict[str, Any]


def conversion_results(
    store: ObjectStore, conversions: list[Result] | dict[str, Any], run_id: str
) -> list[Result]:
    if isinstance(conversions, list):
        results = conversions
    else:
        listed = json.loads(store.get_bytes(items_key(run_id)))
        results = one_per_object(read_written(store, conversions), listed)
    return [with_recorded_cause(store, run_id, result) for result in results]


def read_written(store: ObjectStore, written: dict[str, Any]) -> list[Result]:
    """The child executions' results, from a ResultWriter's manifest in ``store``."""
    details = written.get("ResultWriterDetails") or {}
    if details.get("Bucket") != store.bucket:
        raise PipelineError(
            f"the Map wrote its results to {details.get('Bucket')!r}, not the artifacts "
            f"bucket {store.bucket!r}"
        )
    manifest = json.loads(store.get_bytes(details["Key"]))
    return [
        _result(child)
        for files in manifest["ResultFiles"].values()
        for file in files
        for child in json.loads(store.get_bytes(file["Key"]))
    ]


def one_per_object(results: list[Result], listed: list[dict[str, str]]) -> list[Result]:
    """The results in Discover's order, one per listed object; an object converted by a
    succeeded child wins over a failed duplicate (a redriven Map Run may report both)."""
    by_key: dict[str, Result] = {}
    for result in results:
        key = result.get("raw_key")
        if key and (key not in by_key or by_key[key].get("status") == "failed"):
            by_key[key] = result
    return [
        by_key.get(item["raw_key"])
        or {
            **item,
            "status": "failed",
            "error": "NoResult",
            "cause": "the distributed Map reported no result for this object",
        }
        for item in listed
    ]


def _result(child: dict[str, Any]) -> Result:
    if child.get("Status") == "SUCCEEDED":
        return _json(child.get("Output"))
    item = _json(child.get("Input"))
    return {
        "source": item.get("source"),
        "raw_key": item.get("raw_key"),
        "status": "failed",
        "error": child.get("Error") or child.get("Status"),
        "cause": child.get("Cause"),
    }


def _json(value: Any) -> dict[str, Any]:
    # AWS writes Input/Output as JSON text; accept an object too.
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}
