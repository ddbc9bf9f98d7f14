"""JSON: NDJSON line by line (a broken line is one rejected record), arrays and single
documents through DuckDB's JSON reader, records under a ``records_path``, nested objects
flattened to ``flatten_depth`` levels (deeper objects and all lists stay JSON text)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from strata.contracts.model import JsonFormat
from strata.convert import engine, lines
from strata.convert.inputs import FileRejected, Member
from strata.convert.lines import Layout
from strata.convert.readers import json_stream
from strata.convert.readers.base import MAX_LINE_SIZE, TextSource, records_file, text_lines
from strata.convert.sql import literal

LOCATE_LIMIT = 64 << 20  # bytes of a malformed file decoded again to say where it breaks
BLANKS = re.compile(r"[ \t\n\r]*")  # between JSON values


def read(con: Any, fmt: JsonFormat, member: Member, scratch: Path, index: int) -> TextSource:
    import duckdb

    line, rejects = "NULL", None
    try:
        if fmt.type == "ndjson":
            texts, rejects = text_lines(member.path, index), f"strata_rejects_{index}"
        elif fmt.records_path is not None:  # streamed: a document of any size
            target = scratch.with_suffix(".records")
            json_stream.records_to_file(member.path, fmt.records_path, target)
            texts, line = records_file(target), "_line"
        else:
            texts = _documents(member.path)
        with engine.all_cores(con):  # a key is a key in whatever order the lines come
            fields = discover_fields(con, texts, fmt.flatten_depth)
    except duckdb.InvalidInputException as exc:
        if "Malformed JSON" not in str(exc):
            raise
        raise FileRejected(malformed(member.path)) from None
    # Each record is parsed twice: for its type, and for all its values at once (TRY: a line
    # that is not JSON gives NULL, and the reason below).
    paths = ", ".join(literal(json_path(name)) for name in fields) or "'$.\"\"'"

    def records(texts: str) -> str:
        return (
            f"(SELECT *, TRY(json_type(_text)) AS _type, "
            f"TRY(json_extract_string(_text, [{paths}])) AS _values FROM {texts})"
        )

    def piece(path: Path, first: bool) -> str:
        del first  # every line is a record
        return records(text_lines(path, index))

    problem = (
        "CASE WHEN _type IS NULL THEN 'not valid JSON' "
        "WHEN _type <> 'OBJECT' THEN 'not a JSON object' END"
    )
    return TextSource(
        relation=records(texts),
        fields=fields,
        values=[f"_values[{position}]" for position in range(1, len(fields) + 1)],
        raw="_text",
        line=line,
        record_problem=problem,
        parse_rejects=rejects,
        sparse=True,
        piece=piece if fmt.type == "ndjson" else None,
        # A line of spaces is no record (see ``text_lines``).
        layout=Layout(lines.ending(member.path), blank=b" \r") if fmt.type == "ndjson" else None,
    )


def malformed(path: Path) -> str:
    """Where the file stops being JSON, as an editor shows it, found by Python's decoder:
    DuckDB's message counts bytes and values within a piece it split off, not in the file.
    A file too large to decode here in the memory budget is named malformed, no more."""
    import json

    if path.stat().st_size > LOCATE_LIMIT:
        return "malformed JSON"
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    decoder, at = json.JSONDecoder(), 0
    while (at := BLANKS.match(text, at).end()) < len(text):  # type: ignore[union-attr]
        try:
            _, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            return f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg.lower()}"
    return "malformed JSON"


def json_path(dotted: str) -> str:
    return "$" + "".join('."' + part.replace('"', '\\"') + '"' for part in dotted.split("."))


def _documents(path: Path) -> str:
    """An array of records, one record, or several documents: DuckDB reads each record (up
    to 16 MiB) as it goes."""
    return (
        f"(SELECT CAST(json AS VARCHAR) AS _text FROM read_json_objects("
        f"{literal(str(path))}, format = 'auto', maximum_object_size = {MAX_LINE_SIZE}, "
        "compression = 'none', hive_partitioning = false))"
    )


def discover_fields(con: Any, texts: str, depth: int) -> list[str]:
    """Every key path in the file, objects flattened ``depth`` levels down (sorted)."""
    found: list[str] = []
    level = _keys(con, texts, [""])
    for _ in range(depth):
        objects = _objects(con, texts, level)
        found += [path for path in level if path not in objects]
        level = _keys(con, texts, objects) if objects else []
    return sorted(found + level)


def _keys(con: Any, texts: str, parents: list[str]) -> list[str]:
    """The keys of the objects at ``parents`` ('' the record itself), each record parsed
    once for all of them."""
    paths = ", ".join(literal(json_path(parent) if parent else "$") for parent in parents)
    rows = con.execute(
        f"SELECT DISTINCT _parent, unnest(_keys[_parent]) FROM (SELECT "
        f"TRY(json_keys(_text, [{paths}])) AS _keys, unnest(range(1, {len(parents) + 1})) "
        f"AS _parent FROM {texts})"
    ).fetchall()
    return sorted(
        f"{parents[index - 1]}.{key}" if parents[index - 1] else key for index, key in rows
    )


def _objects(con: Any, texts: str, paths: list[str]) -> list[str]:
    """Those of ``paths`` that hold an object in any record (each parsed once)."""
    if not paths:
        return []
    listed = ", ".join(literal(json_path(path)) for path in paths)
    checks = ", ".join(f"bool_or(_types[{index}] = 'OBJECT')" for index in range(1, len(paths) + 1))
    flags = con.execute(
        f"SELECT {checks} FROM (SELECT TRY(json_type(_text, [{listed}])) AS _types FROM {texts})"
    ).fetchone()
    return [path for path, flag in zip(paths, flags or (), strict=False) if flag]
