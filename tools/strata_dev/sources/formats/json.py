"""JSON and NDJSON: where the records are in a document (``records_path``), how deep nested
objects go (``flatten_depth``); the runtime's JSON reader then reads the sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from strata.contracts.model import JsonFormat
from strata.convert.inputs import FileRejected, Member
from strata.convert.readers import json as json_reader
from strata.convert.readers.base import TextSource
from strata_dev.sources.guess import FormatGuess, Note
from strata_dev.sources.sample import Sample, SampleError

MAX_FLATTEN = 3  # nested objects deeper than this stay JSON text
RECORDS_LOOKED_AT = 1000  # records whose nesting decides flatten_depth


def infer(con: Any, sample: Sample, scratch: Path) -> FormatGuess:
    block: dict[str, Any] = {"type": sample.format, "encoding": sample.encoding or "utf-8"}
    notes: dict[str, Note] = {"encoding": Note("detected from the sample's bytes")}
    if sample.format == "json":
        document = load_document(sample)
        path, records = find_records(document)
        if path:
            block["records_path"] = path
            notes["records_path"] = Note(f"the list of {len(records):,} records in the document")
    else:
        records = _first_lines(sample.path)
    depth = nesting(records[:RECORDS_LOOKED_AT])
    if depth:
        block["flatten_depth"] = min(depth, MAX_FLATTEN)
        notes["flatten_depth"] = Note(
            f"nested objects {depth} level(s) deep become dotted columns"
            + ("; deeper ones stay JSON text" if depth > MAX_FLATTEN else "")
        )
    fmt = JsonFormat.model_validate(block)
    try:
        source = json_reader.read(con, fmt, Member(sample.path), scratch, 0)
    except FileRejected as exc:
        raise SampleError(sample.origin, str(exc)) from None
    _in_record_order(source, records[:RECORDS_LOOKED_AT])
    unit = "line" if sample.format == "ndjson" else "record"
    return FormatGuess(block, notes, source, f"'{unit} ' || row_number() OVER ()")


def _in_record_order(source: TextSource, records: list[Any]) -> None:
    """The reader lists fields sorted by name; the contract lists them as the records do."""
    order: dict[str, int] = {}

    def visit(record: dict[str, Any], prefix: str) -> None:
        for key, value in record.items():
            path = f"{prefix}{key}"
            order.setdefault(path, len(order))
            if isinstance(value, dict):
                visit(value, f"{path}.")

    for record in records:
        if isinstance(record, dict):
            visit(record, "")
    pairs = sorted(
        zip(source.fields, source.values, strict=True),
        key=lambda pair: order.get(pair[0], len(order)),
    )
    source.fields = [field for field, _ in pairs]
    source.values = [value for _, value in pairs]


def load_document(sample: Sample) -> Any:
    try:
        return json.loads(sample.path.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        raise SampleError(sample.origin, f"not valid JSON: {exc}") from None


def find_records(document: Any, path: str = "") -> tuple[str, list[Any]]:
    """The dotted path to the longest list of objects in the document ('' for the document
    itself), and that list; a single object is one record."""
    if isinstance(document, list):
        return path, document
    if not isinstance(document, dict):
        return path, [document]
    best: tuple[str, list[Any]] | None = None
    for key, value in document.items():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            found = (f"{path}.{key}" if path else key, value)
        elif isinstance(value, dict):
            found = find_records(value, f"{path}.{key}" if path else key)
            if not found[0] or found[1] == [value]:
                continue
        else:
            continue
        if best is None or len(found[1]) > len(best[1]):
            best = found
    return best if best else (path, [document])


def nesting(records: list[Any]) -> int:
    """How many levels of nested objects the records hold (0: flat)."""

    def depth(value: Any) -> int:
        if not isinstance(value, dict) or not value:
            return 0
        return 1 + max(depth(item) for item in value.values())

    return max((depth(record) - 1 for record in records if isinstance(record, dict)), default=0)


def _first_lines(path: Path) -> list[Any]:
    records = []
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            if len(records) >= RECORDS_LOOKED_AT:
                break
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # the reader sets a broken line aside; nesting ignores it
    return records
