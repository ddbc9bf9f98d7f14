"""Redshift SQL read as Redshift reads it, so the local twin refuses what Redshift would refuse.

sqlglot's Redshift dialect parses the SQL, made strict where sqlglot forgives (an empty list
item: ``select a,, b`` or a trailing comma would otherwise be dropped silently). The parsed
tree is then checked against what Redshift has: functions by name (the allow-list in
:mod:`strata.warehouse.redshift_functions`, as written in the SQL, not as sqlglot renames
them), data types (a DECIMAL holds at most 38 digits), and no DuckDB-only syntax (``GROUP
BY ALL``, ``x[1]`` subscripts, list and struct literals, lambdas, ``SEMI``/``ANTI``/``ASOF``
joins, ``UNION BY NAME``, ``TABLESAMPLE``). Every refusal carries the statement's line.
"""

from __future__ import annotations

import functools
import re
from typing import Any, ClassVar

from strata.errors import WarehouseError
from strata.warehouse.redshift_functions import REDSHIFT_FUNCTIONS

MAX_DECIMAL_PRECISION = 38
NAME_KEY = "strata_name"
GROUP_BY_ALL = "GROUP BY ALL"  # where the parser keeps a function's name as written
# Redshift's data types (sqlglot's names for them).
REDSHIFT_TYPES = frozenset(
    str.split(
        "SMALLINT INT BIGINT DECIMAL FLOAT DOUBLE BOOLEAN CHAR NCHAR BPCHAR VARCHAR NVARCHAR "
        "TEXT DATE TIMESTAMP TIMESTAMPTZ TIME TIMETZ INTERVAL VARBINARY SUPER GEOMETRY "
        "GEOGRAPHY HLLSKETCH"
    )
)
# Functions and operators parsed from syntax, not from a name (sqlglot keeps no name for
# them): CASE, CAST and ::, EXTRACT, POSITION(... IN ...), AND, OR, ^, ~, COLLATE...
SYNTAX_FUNCTIONS = frozenset(
    str.split(
        "Case Cast Extract Trim Substring StrPosition DecodeCase CurrentDate CurrentTimestamp "
        "CurrentTime CurrentUser ApproxDistinct Floor Ceil Initcap If Any All And Or Pow "
        "Collate RegexpLike RegexpILike"
    )
)


class RedshiftSqlError(WarehouseError):
    """SQL that Redshift would refuse; ``line`` is 1-based in the SQL given."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


def parse_redshift(sql: str) -> list[Any]:
    """The statements of ``sql`` as sqlglot expressions, each checked against Redshift."""
    from sqlglot.errors import ParseError, TokenError

    try:
        statements = [s for s in _dialect().parse(sql) if s is not None]
    except ParseError as exc:
        error = exc.errors[0] if exc.errors else {}
        raise RedshiftSqlError(_syntax_message(error), error.get("line")) from exc
    except TokenError as exc:
        raise RedshiftSqlError(f"cannot read the SQL: {exc}") from exc
    for statement in statements:
        check_redshift(statement, sql)
    return statements


def _syntax_message(error: dict[str, Any]) -> str:
    description = str(error.get("description") or "syntax error")
    description = re.sub(r"<Token token_type: [\w.]+, text: ([^,]*),[^>]*>", r"'\1'", description)
    if description.startswith("Required keyword"):
        description = "incomplete expression"
    near = str(error.get("highlight") or "").strip()
    return f"syntax error: {description}" + (f" near {near!r}" if near else "")


def check_redshift(tree: Any, sql: str = "") -> None:
    """Refuse what the parse accepted but Redshift has not (see the module's docstring)."""
    from sqlglot import exp

    for node in tree.walk():
        if isinstance(node, exp.Func):
            _check_function(node)
        elif isinstance(node, exp.DataType):
            _check_type(node)
        problem = _duckdb_only_syntax(node)
        if problem:
            line = _line(node) if problem != GROUP_BY_ALL else _line_matching(sql, problem)
            raise RedshiftSqlError(f"{problem}: DuckDB has it, Redshift does not", line)


def _line_matching(sql: str, words: str) -> int | None:
    pattern = r"\b" + r"\s+".join(words.split()) + r"\b"
    found = re.search(pattern, sql, re.IGNORECASE)
    return sql.count("\n", 0, found.start()) + 1 if found else None


def _check_function(node: Any) -> None:
    from sqlglot import exp

    if isinstance(node, exp.Anonymous):
        name = str(node.name)
    elif node.meta.get(NAME_KEY):
        name = str(node.meta[NAME_KEY])
    elif type(node).__name__ in SYNTAX_FUNCTIONS:
        return
    elif isinstance(node, exp.Binary):
        raise RedshiftSqlError(
            f"the operator in {node.sql('postgres')!r} is not a Redshift operator", _line(node)
        )
    else:
        name = node.sql_name()
    if name.upper() not in REDSHIFT_FUNCTIONS:
        raise RedshiftSqlError(
            f"function {name}() is not a Redshift function (see the list in "
            "strata/warehouse/redshift_functions.py)",
            _line(node),
        )


def _check_type(node: Any) -> None:
    from sqlglot import exp

    kind = node.this
    if kind == exp.DataType.Type.USERDEFINED or kind.name not in REDSHIFT_TYPES:
        raise RedshiftSqlError(f"type {node.sql('redshift')} is not a Redshift type", _line(node))
    if kind == exp.DataType.Type.DECIMAL and node.expressions:
        precision = int(node.expressions[0].name)
        if not 1 <= precision <= MAX_DECIMAL_PRECISION:
            raise RedshiftSqlError(
                f"type {node.sql('redshift')}: Redshift's DECIMAL holds 1 to "
                f"{MAX_DECIMAL_PRECISION} digits",
                _line(node),
            )


def _duckdb_only_syntax(node: Any) -> str | None:
    from sqlglot import exp

    if isinstance(node, exp.Group) and node.args.get("all"):
        return GROUP_BY_ALL
    if isinstance(node, exp.Bracket):
        return "subscript [...] (list indexing)"
    if isinstance(node, (exp.Array, exp.Struct)) and not node.meta.get(NAME_KEY):
        return "list or struct literal"
    if isinstance(node, exp.Lambda):
        return "lambda"
    if isinstance(node, exp.TableSample):
        return "TABLESAMPLE / USING SAMPLE"
    if isinstance(node, exp.Union | exp.Except | exp.Intersect) and node.args.get("by_name"):
        return "UNION BY NAME"
    if isinstance(node, exp.Join) and (node.kind or "").upper() in ("SEMI", "ANTI", "ASOF"):
        return f"{node.kind.upper()} JOIN"
    if isinstance(node, exp.Star) and any(node.args.get(key) for key in ("replace", "rename")):
        return "SELECT * REPLACE/RENAME"
    return None


def _line(node: Any) -> int | None:
    """The line of a node: its own or its first descendant's, else that of its nearest
    ancestor that has one (sqlglot keeps positions on names, not on every node)."""
    while node is not None:
        for candidate in node.walk():
            if "line" in candidate.meta:
                return int(candidate.meta["line"])
        node = node.parent
    return None


@functools.cache
def _dialect() -> Any:
    """sqlglot's Redshift dialect, keeping function names as written and refusing empty items
    in comma-separated lists (which sqlglot otherwise drops without a word)."""
    from sqlglot.dialects.redshift import Redshift
    from sqlglot.tokens import TokenType

    def named(parse: Any) -> Any:
        """A parser of function syntax (CAST, POSITION, MAX_BY...) that keeps the name and
        line as written, as sqlglot does for the functions it parses from their name."""

        def wrapped(self: Any) -> Any:
            token = self._tokens[self._index - 2]  # the name, before its "("
            node = parse(self)
            if node is not None:
                node.meta.setdefault(NAME_KEY, token.text)
                node.meta.setdefault("line", token.line)
            return node

        return wrapped

    class StrictParser(Redshift.Parser):  # type: ignore[misc,name-defined]
        FUNCTION_PARSERS: ClassVar[dict[str, Any]] = {
            name: named(parse) for name, parse in Redshift.Parser.FUNCTION_PARSERS.items()
        }

        def _parse_csv(self, parse_method: Any, sep: Any = TokenType.COMMA) -> list[Any]:
            item = parse_method()
            items = [item] if item is not None else []
            while self._match(sep):
                separator = self._prev
                item = parse_method()
                if item is None:
                    self._retreat(self._index - 1)
                    self.raise_error(
                        f"nothing between {separator.text!r} and the next word "
                        "(a doubled or trailing comma?)",
                        separator,
                    )
                items.append(item)
            return items

    class StrictRedshift(Redshift):  # type: ignore[misc,valid-type]
        ORIGINAL_NAME_META_KEY = NAME_KEY
        Parser = StrictParser

    return StrictRedshift()
