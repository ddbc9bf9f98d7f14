"""Models and singular tests checked as Redshift would read them, at compilation: so
``strata validate`` and a run's planner refuse, with ``file:line``, SQL that the local DuckDB
would have run but Redshift would refuse (see :mod:`strata.warehouse.redshift_sql`).

The line is the file's, not the rendered SQL's (Jinja drops a multi-line ``config()`` and the
blocks it leaves out): the checked rendering is made from the template with a marker comment
ending each of its text lines, ``/*strata:12*/``, so every rendered line says where it came
from. The markers are comments: the SQL that runs is rendered without them.
"""

from __future__ import annotations

import re

from strata.errors import ModelError
from strata.warehouse.redshift_sql import RedshiftSqlError, parse_redshift

_MARKER = re.compile(r"/\*strata:(\d+)\*/", re.IGNORECASE)


def mark_lines(template: str) -> str:
    """The template with a marker comment before each newline of its text (not in tags)."""
    import jinja2

    pieces = []
    for line, kind, value in jinja2.Environment().lex(template):
        if kind == "data":
            lines = value.split("\n")
            value = "".join(f"{text}/*strata:{line + i}*/\n" for i, text in enumerate(lines[:-1]))
            value += lines[-1]
        pieces.append(value)
    return "".join(pieces)


def unmark(rendered: str) -> str:
    """A marked rendering without its markers: what the template renders unmarked (one
    rendering serves both the SQL that runs and the check)."""
    return _MARKER.sub("", rendered)


def check_sql(marked: str, file: str, node: str) -> None:
    """Parse a rendering of :func:`mark_lines`' output as Redshift; refuse at the file's line."""
    try:
        parse_redshift(marked)
    except RedshiftSqlError as exc:
        line = template_line(marked, exc.line) if exc.line else None
        raise ModelError(str(exc), model=node, file=file, line=line) from exc


def template_line(marked: str, line: int) -> int:
    """The template line that rendered as line ``line`` (1-based) of a marked rendering."""
    lines = marked.splitlines()
    own = _MARKER.search(lines[line - 1]) if 0 < line <= len(lines) else None
    if own:
        return int(own[1])
    before = [int(found) for found in _MARKER.findall("\n".join(lines[: line - 1]))]
    return before[-1] + 1 if before else 1
