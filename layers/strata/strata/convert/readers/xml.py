"""XML: the record elements at ``record_path``, streamed by the standard library's expat parser
(the parser under ``xml.etree``'s ``iterparse``, used directly for the line each record starts
on) into a file of one JSON object per record, which DuckDB then reads.

Memory stays flat whatever the size: the document is fed 1 MiB at a time and only the current
record is held. Child elements become fields, named by dotted paths down to ``flatten_depth``
levels (`supplier.name`); attributes are `@name` fields; deeper elements stay XML text in their
ancestor's field; a child repeated in a record gives a JSON list. No lxml: the Lambda layer
stays as it is, and expat is the parser both would use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from strata.contracts.model import XmlFormat
from strata.convert.inputs import CHUNK, FileRejected, Member
from strata.convert.readers.base import RECORD_SEPARATOR, TextSource, records_file
from strata.convert.sql import literal

# The codec names expat knows for the contract's encodings.
EXPAT_ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "latin-1": "ISO-8859-1",
    "cp1252": "windows-1252",
    "utf-16": "UTF-16",
}


def read(con: Any, fmt: XmlFormat, member: Member, scratch: Path, index: int) -> TextSource:
    del con
    target = scratch.with_suffix(".records")
    fields = _records_to_file(fmt, member.path, target)
    paths = ", ".join(literal(_json_path(name)) for name in fields)
    # A document without records has no fields: its (absent) rows have no values.
    values = f"json_extract_string(_text, [{paths}])" if fields else "CAST([] AS VARCHAR[])"
    relation = f"(SELECT _line, _text, {values} AS _values FROM {records_file(target)})"
    return TextSource(
        relation=relation,
        fields=fields,
        values=[f"_values[{position}]" for position in range(1, len(fields) + 1)],
        raw="_text",
        line="_line",
        sparse=True,
    )


def _json_path(name: str) -> str:
    """A field's name is one JSON key, dots and all."""
    return '$."' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _records_to_file(fmt: XmlFormat, path: Path, target: Path) -> list[str]:
    """Streams the records of ``path`` into ``target``; returns the fields, in the order the
    document first shows them."""
    encoding = None if fmt.encoding == "auto" else EXPAT_ENCODINGS[fmt.encoding]
    parser = expat.ParserCreate(encoding=encoding, namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    with target.open("w", encoding="utf-8") as out:
        records = _Records(fmt, parser, out)
        parser.StartElementHandler = records.start
        parser.EndElementHandler = records.end
        parser.CharacterDataHandler = records.text
        parser.EntityDeclHandler = _refuse_entities
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except expat.ExpatError as exc:
            message = expat.errors.messages.get(exc.code, str(exc)) if exc.code else str(exc)
            raise FileRejected(
                f"malformed XML at line {exc.lineno}, column {exc.offset + 1}: {message}"
            ) from None
    records.check_root()
    return list(records.fields)


def _refuse_entities(name: str, *_: object) -> None:
    """An entity declared in the document could expand without bound: the file is refused."""
    raise FileRejected(f"XML entity declarations are refused (entity {name!r})")


class _Records:
    """expat's handlers: they follow the element path and write each record as it ends."""

    def __init__(self, fmt: XmlFormat, parser: Any, out: Any) -> None:
        self.steps = [_step(step, fmt.namespaces) for step in fmt.record_path.strip("/").split("/")]
        self.record_path = fmt.record_path
        self.depth = fmt.flatten_depth
        self.parser, self.out = parser, out
        self.stack: list[str] = []  # local names from the root down to the record's parent
        self.matched = 0  # how many leading elements of the stack match the path's steps
        self.root: str | None = None
        self.fields: dict[str, None] = {}  # every field, in the order first seen
        self.record: dict[str, Any] | None = None
        self.line = 0  # where the current record starts
        self.own: list[str] = []  # the record element's own text
        self.open: list[_Open] = []  # the record's open elements that are fields
        self.deep = 0  # open elements below flatten_depth (XML text of ``open[-1]``)
        self.split: dict[str, tuple[str | None, str]] = {}  # expat's names, split once each

    def _split(self, name: str) -> tuple[str | None, str]:
        found = self.split.get(name)
        if found is None:
            found = self.split[name] = _split(name)
        return found

    def start(self, name: str, attributes: dict[str, str]) -> None:
        uri, local = self._split(name)
        self.root = self.root or local
        if self.record is not None:
            self._child(local, attributes)
            return
        depth = len(self.stack)
        self.stack.append(local)
        if self.matched == depth < len(self.steps) and _matches(self.steps[depth], uri, local):
            self.matched += 1
            if self.matched == len(self.steps):
                self.record, self.line, self.own = {}, self.parser.CurrentLineNumber, []
                for key, value in attributes.items():
                    self._put("@" + self._split(key)[1], value)

    def _child(self, local: str, attributes: dict[str, str]) -> None:
        open_ = self.open
        if self.deep or len(open_) == self.depth:
            self._nested(local, attributes)
            return
        if open_:
            parent = open_[-1]
            parent.parent = True
            path = f"{parent.path}.{local}"
        else:
            path = local
        open_.append(_Open(path))
        for key, value in attributes.items():
            self._put(f"{path}.@{self._split(key)[1]}", value)

    def _nested(self, local: str, attributes: dict[str, str]) -> None:
        """An element below flatten_depth: XML text in its ancestor's field."""
        self.deep += 1
        element = self.open[-1]
        if not element.nested:  # from now on its content is kept as XML text
            element.nested = True
            element.xml = [escape("".join(element.text))]
        attrs = "".join(f" {self._split(k)[1]}={quoteattr(v)}" for k, v in attributes.items())
        element.xml.append(f"<{local}{attrs}>")

    def end(self, name: str) -> None:
        if self.record is None:
            if len(self.stack) == self.matched:
                self.matched -= 1
            self.stack.pop()
        elif self.deep:
            self.deep -= 1
            self.open[-1].xml.append(f"</{self._split(name)[1]}>")
        elif self.open:
            element = self.open.pop()
            value = "".join(element.xml if element.nested else element.text).strip()
            if value or not element.parent:  # a parent's blank text between children is none
                self._put(element.path, value)
        else:
            self._close_record()

    def _close_record(self) -> None:
        own = "".join(self.own).strip()
        if own:
            self._put("#text", own)
        record = json.dumps(self.record, ensure_ascii=False)
        self.out.write(f"{self.line}{RECORD_SEPARATOR}{record}\n")
        self.record = None
        self.matched -= 1
        self.stack.pop()

    def text(self, data: str) -> None:
        if self.record is None:
            return
        if not self.open:
            self.own.append(data)
            return
        element = self.open[-1]
        if element.nested:
            element.xml.append(escape(data))
        else:
            element.text.append(data)

    def _put(self, path: str, value: str) -> None:
        record = self.record
        assert record is not None
        self.fields.setdefault(path, None)
        if path not in record:
            record[path] = value
        elif isinstance(record[path], list):
            record[path].append(value)
        else:
            record[path] = [record[path], value]

    def check_root(self) -> None:
        first = self.steps[0][1]
        if self.root is not None and first not in ("*", self.root):
            raise FileRejected(
                f"the root element is <{self.root}>, but record_path {self.record_path!r} "
                f"starts at <{first}>"
            )


@dataclass(slots=True)
class _Open:
    """An open element of the record that is a field."""

    path: str
    text: list[str] = field(default_factory=list)
    xml: list[str] = field(default_factory=list)  # its content as XML text
    nested: bool = False  # it holds elements below flatten_depth
    parent: bool = False  # it holds fields of its own


def _step(step: str, namespaces: dict[str, str]) -> tuple[str | None, str]:
    """A path step as (namespace URI or None for any, local name or ``*``)."""
    if ":" in step:
        prefix, local = step.split(":", 1)
        return namespaces[prefix], local
    return None, step


def _matches(step: tuple[str | None, str], uri: str | None, local: str) -> bool:
    wanted_uri, wanted = step
    return wanted in ("*", local) and (wanted_uri is None or wanted_uri == uri)


def _split(name: str) -> tuple[str | None, str]:
    """expat's ``uri local`` (or ``local``) as (uri, local)."""
    uri, _, local = name.rpartition(" ")
    return (uri or None), local
