"""The conversions of a run, whichever Map converted them.

Each Map item is a batch of objects (:mod:`strata.orchestration.batches`), and each batch's
result lists one trimmed outcome per object, or, for a batch that failed whole, the error and
its objects. An inline Map hands the Report these in the execution state. A distributed
Map's output is only where its ResultWriter put them, ``{"MapRunArn", "ResultWriterDetails":
{"Bucket", "Key"}}``, the key naming a ``manifest.json`` that lists the result files by child
status (``SUCCEEDED``, ``FAILED``, ``PENDING``). Each file is a JSON array of child
executions: ``Status``, ``Input`` and ``Output`` (JSON text: a batch's result), ``Error`` and
``Cause`` for a failed one.

Every object Discover listed gets exactly one result: one the Map did not report (a child that
never ran, or whose input was not kept) counts as failed, so its claim is released. A failed
file's cause, which the state does not carry, comes from its failure record
(:mod:`strata.orchestration.failures`).
"""

from __future__ import annotations

import json

from strata.errors import PipelineError
from strata.lake.keys import items_key
from strata.lake.payloads import (
    Conversions,
    DiscoveredItem,
    FailedFile,
    FileOutcome,
    MapChild,
    ResultManifest,
    WrittenResults,
    flatten,
)
from strata.orchestration.failures import with_recorded_cause
from strata.storage.base import ObjectStore


def conversion_results(
    store: ObjectStore, conversions: Conversions, run_id: str
) -> list[FileOutcome]:
    if isinstance(conversions, WrittenResults):
        listed = json.loads(store.get_bytes(items_key(run_id)))
        results = one_per_object(
            read_written(store, conversions), [DiscoveredItem(**item) for item in listed]
        )
    else:
        results = flatten(conversions)
    return [with_recorded_cause(store, run_id, result) for result in results]


def read_written(store: ObjectStore, written: WrittenResults) -> list[FileOutcome]:
    """The child executions' results, from a ResultWriter's manifest in ``store``; a failed
    child whose input was not kept names no object, and is left out."""
    details = written.details
    if details.bucket != store.bucket:
        raise PipelineError(
            f"the Map wrote its results to {details.bucket!r}, not the artifacts "
            f"bucket {store.bucket!r}"
        )
    manifest = ResultManifest.model_validate_json(store.get_bytes(details.key))
    children = [
        MapChild.model_validate(child)
        for files in manifest.result_files.values()
        for file in files
        for child in json.loads(store.get_bytes(file.key))
    ]
    return [result for child in children for result in _results(child)]


def one_per_object(results: list[FileOutcome], listed: list[DiscoveredItem]) -> list[FileOutcome]:
    """The results in Discover's order, one per listed object; an object converted by a
    succeeded child wins over a failed duplicate (a redriven Map Run may report both)."""
    by_key: dict[str, FileOutcome] = {}
    for result in results:
        key = result.raw_key
        if key not in by_key or isinstance(by_key[key], FailedFile):
            by_key[key] = result
    return [
        by_key.get(item.raw_key)
        or FailedFile(
            source=item.source,
            raw_key=item.raw_key,
            status="failed",
            error="NoResult",
            cause="the distributed Map reported no result for this object",
        )
        for item in listed
    ]


def _results(child: MapChild) -> list[FileOutcome]:
    if child.status == "SUCCEEDED":
        return flatten([child.output]) if child.output is not None else []
    if child.input is None:
        return []
    return [
        FailedFile(
            source=item.source,
            raw_key=item.raw_key,
            status="failed",
            error=child.error or child.status,
            cause=child.cause,
        )
        for item in child.input.items
    ]
