"""dbt's ``unit_tests:`` in schema YAML, read into specs (the run is :mod:`.unit_tests`).

A unit test names a ``model``, gives mock rows for the model's inputs (``given``: ``input:
ref('x')``, ``source('lake', 't')`` or ``this``, with ``rows`` as a list of mappings or, with
``format: csv``, as CSV text) and the rows it must return (``expect``); ``overrides`` may set
``vars`` and replace macros by a value (``is_incremental: true``). Every other dbt key
(``fixture:``, ``format: sql``, ``env_vars``, ``versions``) is refused at its line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from strata.models.yamlfile import Marked, refuse

UNIT_TEST_KEYS = {"name", "model", "description", "given", "expect", "overrides", "config"}
GIVEN_KEYS = {"input", "rows", "format"}
EXPECT_KEYS = {"rows", "format"}
OVERRIDE_KEYS = {"vars", "macros"}
CONFIG_KEYS = {"tags", "enabled", "meta"}
FORMATS = ("dict", "csv")
_STRING = r"""\s*['"]([^'"]+)['"]\s*"""
_REF = re.compile(rf"^\s*ref\({_STRING}\)\s*$")
_SOURCE = re.compile(rf"^\s*source\({_STRING},{_STRING}\)\s*$")


@dataclass
class MockInput:
    written: str  # as in the YAML: "ref('stg_orders')"
    kind: str  # ref | source | this
    name: tuple[str, ...]  # ("stg_orders",) | ("lake", "orders") | ()
    rows: list[dict[str, Any]]
    line: int


@dataclass
class UnitTestSpec:
    name: str
    model: str
    path: str  # the YAML file, under warehouse/
    line: int
    given: list[MockInput]
    expect: list[dict[str, Any]]
    expect_line: int
    variables: dict[str, Any] = field(default_factory=dict)
    macros: dict[str, Any] = field(default_factory=dict)  # macro name → the value it returns
    description: str = ""
    tags: list[str] = field(default_factory=list)
    enabled: bool = True


def read_unit_tests(document: Marked, path: str) -> list[UnitTestSpec]:
    """The ``unit_tests:`` of one schema YAML document."""
    entries = document.get("unit_tests") or []
    if not isinstance(entries, list):
        raise refuse("`unit_tests:` must be a list", path, document.line_of("unit_tests"))
    return [_unit_test(entry, path) for entry in entries]


def _unit_test(entry: Any, path: str) -> UnitTestSpec:
    _check_keys(entry, UNIT_TEST_KEYS, "a unit test", path, ("name", "model", "given", "expect"))
    given = entry["given"]
    if not isinstance(given, list):
        raise refuse("`given:` must be a list of inputs", path, entry.line_of("given"))
    expect = entry["expect"]
    _check_keys(expect, EXPECT_KEYS, "`expect:`", path, ("rows",))
    overrides = entry.get("overrides") or Marked()
    if overrides:
        _check_keys(overrides, OVERRIDE_KEYS, "`overrides:`", path, ())
    config = entry.get("config") or Marked()
    if config:
        _check_keys(config, CONFIG_KEYS, "`config:`", path, ())
    tags = config.get("tags") or []
    return UnitTestSpec(
        name=str(entry["name"]),
        model=str(entry["model"]),
        path=path,
        line=entry.line,
        given=[_mock_input(item, path) for item in given],
        expect=_rows(expect, path),
        expect_line=expect.line,
        variables=dict(overrides.get("vars") or {}),
        macros=dict(overrides.get("macros") or {}),
        description=str(entry.get("description") or ""),
        tags=[tags] if isinstance(tags, str) else list(tags),
        enabled=bool(config.get("enabled", True)),
    )


def _mock_input(item: Any, path: str) -> MockInput:
    _check_keys(item, GIVEN_KEYS, "an input of `given:`", path, ("input", "rows"))
    written = str(item["input"])
    ref, source = _REF.match(written), _SOURCE.match(written)
    if ref:
        kind, name = "ref", (ref[1],)
    elif source:
        kind, name = "source", (source[1], source[2])
    elif written.strip() == "this":
        kind, name = "this", ()
    else:
        raise refuse(
            f"input {written!r}: write ref('model'), source('lake', 'table') or this",
            path,
            item.line_of("input"),
        )
    return MockInput(written, kind, name, _rows(item, path), item.line)


def _rows(item: Marked, path: str) -> list[dict[str, Any]]:
    form = item.get("format", "dict")
    line = item.line_of("rows")
    if form not in FORMATS:
        raise refuse(
            f"format {form!r} is not implemented (supported: {', '.join(FORMATS)})",
            path,
            item.line_of("format"),
        )
    rows = item["rows"]
    if form == "csv":
        if not isinstance(rows, str):
            raise refuse("`format: csv` takes the rows as CSV text (rows: |)", path, line)
        return [
            {key: (value if value != "" else None) for key, value in row.items()}
            for row in csv.DictReader(io.StringIO(rows.strip()))
        ]
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise refuse("`rows:` must be a list of mappings (column: value)", path, line)
    return [dict(row) for row in rows]


def _check_keys(
    entry: Any, allowed: set[str], what: str, path: str, required: tuple[str, ...]
) -> None:
    if not isinstance(entry, Marked):
        raise refuse(f"{what} must be a mapping", path)
    for key in entry:
        if key not in allowed:
            raise refuse(
                f"{key!r} in {what} is outside the supported dbt subset "
                f"(supported: {', '.join(sorted(allowed))})",
                path,
                entry.line_of(key),
            )
    for key in required:
        if key not in entry:
            raise refuse(f"{what} needs `{key}`", path, entry.line)
