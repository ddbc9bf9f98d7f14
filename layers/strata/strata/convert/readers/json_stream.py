"""The records of a JSON document at a ``records_path`` (a vendor's
``{"meta": {...}, "data": [...]}``), streamed into a file of one record a line with the line it
starts on, so that a document of any size converts in flat memory.

The document is read 1 MiB at a time. The path's keys are found by walking the objects around
the list; other values on the way are decoded to be skipped (``meta`` is small). Each record
is decoded by the standard library's decoder to find where it ends, and written as its own
text (numbers keep their digits), its line breaks (only ever blanks between tokens: JSON
escapes them in strings) made spaces.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TextIO

from strata.convert.errors import FileRejected
from strata.convert.readers.base import MAX_LINE_SIZE, RECORD_SEPARATOR

CHUNK = 1 << 20
NOT_BLANK = re.compile(r"[^ \t\n\r]")


class _Cursor:
    """A window on the document: the text read and not yet consumed, and where it is."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.text = ""
        self.at = 0  # in ``text``
        self.line = 1  # the line of ``at`` in the document
        self.ended = False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.ended:
            return False
        chunk = self.handle.read(CHUNK)
        if not chunk:
            self.ended = True
            return False
        if self.at:  # drop what is consumed: memory holds about one chunk and one record
            self.text = self.text[self.at :]
            self.at = 0
        self.text += chunk
        return True

    def _advance(self, to: int) -> None:
        self.line += self.text.count("\n", self.at, to)
        self.at = to

    def peek(self) -> str:
        """The next character that is not a blank ('' at the end)."""
        while True:
            found = NOT_BLANK.search(self.text, self.at)
            self._advance(found.start() if found else len(self.text))
            if found:
                return found.group()
            if not self._more():
                return ""

    def where(self, position: int) -> str:
        """``position`` in ``text`` (at or after ``at``) as an editor shows it."""
        line = self.line + self.text.count("\n", self.at, position)
        start = self.text.rfind("\n", 0, position) + 1
        return f"line {line}, column {position - start + 1}"

    def expect(self, wanted: str, what: str) -> None:
        found = self.peek()
        if found != wanted:
            shown = repr(found) if found else "the end of the file"
            raise FileRejected(
                f"malformed JSON at {self.where(self.at)}: expecting {what}, found {shown}"
            )
        self._advance(self.at + 1)

    def value(self) -> tuple[object, str, int]:
        """The next value: decoded, its text, and the line it starts on."""
        self.peek()
        while True:
            try:
                decoded, end = self.decoder.raw_decode(self.text, self.at)
            except json.JSONDecodeError as exc:
                if len(self.text) - self.at > MAX_LINE_SIZE:
                    raise FileRejected(
                        f"a JSON value at line {self.line} is larger than {MAX_LINE_SIZE >> 20} MiB"
                    ) from None
                if self._more():
                    continue
                raise FileRejected(
                    f"malformed JSON at {self.where(exc.pos)}: {exc.msg.lower()}"
                ) from None
            if end == len(self.text) and not self.ended and self._more():
                continue  # a number may go on in the next chunk
            text, line = self.text[self.at : end], self.line
            self._advance(end)
            return decoded, text, line


def records_to_file(path: Path, records_path: str, target: Path) -> int:
    """Writes the records under ``records_path`` to ``target`` (``line``, separator, record
    text per line); returns how many."""
    with (
        path.open(encoding="utf-8-sig", newline="") as handle,
        target.open("w", encoding="utf-8") as out,
    ):
        cursor = _Cursor(handle)
        if cursor.peek() != "{":
            raise FileRejected(f"expected one JSON document holding {records_path!r}")
        keys = records_path.split(".")
        for key in keys:
            _enter(cursor, key, records_path)
        count = _write_records(cursor, out, records_path)
        for _ in keys:  # the rest of each object around the list: read, so that it is JSON
            _rest_of_object(cursor)
        if cursor.peek():
            raise FileRejected(f"expected one JSON document holding {records_path!r}")
        return count


def _enter(cursor: _Cursor, wanted: str, records_path: str) -> None:
    """Moves into the value of the key ``wanted`` of the object at the cursor."""
    if cursor.peek() != "{":
        raise FileRejected(f"records_path {records_path!r} not found in the document")
    cursor.expect("{", "an object")
    while cursor.peek() != "}":
        key, _, _ = cursor.value()
        cursor.expect(":", "':'")
        if key == wanted:
            return
        cursor.value()  # another key's value: skipped
        if cursor.peek() != "}":
            cursor.expect(",", "',' or '}'")
    raise FileRejected(f"records_path {records_path!r} not found in the document")


def _rest_of_object(cursor: _Cursor) -> None:
    """The members after the one entered, up to the object's end."""
    while cursor.peek() == ",":
        cursor.expect(",", "','")
        cursor.value()
        cursor.expect(":", "':'")
        cursor.value()
    cursor.expect("}", "',' or '}'")


def _write_records(cursor: _Cursor, out: TextIO, records_path: str) -> int:
    if cursor.peek() != "[":
        kind, _, _ = cursor.value()
        raise FileRejected(f"records_path {records_path!r} is a {_kind(kind)}, not a list")
    cursor.expect("[", "'['")
    count = 0
    while cursor.peek() != "]":
        _, text, line = cursor.value()
        one_line = text.replace("\r", " ").replace("\n", " ")
        out.write(f"{line}{RECORD_SEPARATOR}{one_line}\n")
        count += 1
        if cursor.peek() != "]":
            cursor.expect(",", "',' or ']'")
    cursor.expect("]", "']'")
    return count


def _kind(value: object) -> str:
    names = {dict: "OBJECT", str: "VARCHAR", bool: "BOOLEAN", int: "BIGINT", float: "DOUBLE"}
    return "NULL" if value is None else names.get(type(value), type(value).__name__)
