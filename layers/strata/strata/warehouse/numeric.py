"""Redshift's numeric result types on the local DuckDB, where the two engines differ.

DuckDB divides decimals in DOUBLE, averages them in DOUBLE, sums integers into HUGEINT and
divides integers into DOUBLE; Redshift keeps NUMERIC with its own precision and scale, sums
integers into BIGINT, averages integers into a truncated BIGINT and divides integers as
integers. So that a model's columns have Redshift's types (and an
integer average or ratio Redshift's value), each such expression is typed from the tables
it reads (sqlglot's type annotation over the warehouse's catalog) and cast to the type
Redshift gives it (its "Computations with numeric values" and aggregate function pages):

- ``SUM``: SMALLINT/INT/BIGINT → BIGINT, DECIMAL(p,s) → NUMERIC(38,s);
- ``AVG``: an integer → BIGINT (truncated), DECIMAL(p,s) → NUMERIC(38,s);
- ``a / b`` with a DECIMAL: scale ``max(4, s1 + p2 - s2 + 1)``, precision
  ``p1 - s1 + s2 + scale``; above 38 digits the scale gives way (not below 4) and the
  precision is 38. Integers count as DECIMAL(5,0), (10,0) and (19,0);
- ``int / int``: integer division (sqlglot's typed division).

DuckDB still computes a decimal division in DOUBLE before the cast: digits beyond ~15
significant ones may differ from Redshift's (docs/warehouse.md, "Numeric types").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_PRECISION = 38
MIN_DIVISION_SCALE = 4
INTEGER_DIGITS = {"SMALLINT": 5, "TINYINT": 3, "INT": 10, "BIGINT": 19}
TYPED = "strata_typed"  # marks an expression already cast to its Redshift type

Catalog = Callable[[], dict[str, Any]]  # {schema: {table: {column: DuckDB type}}}


def with_redshift_numerics(statement: Any, catalog: Catalog) -> Any:
    """The statement with its sums, averages and divisions cast to Redshift's types; as it
    was when it has none, or when its tables cannot be typed (not in the catalog)."""
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    query = statement.expression if isinstance(statement, exp.Create | exp.Insert) else statement
    if not isinstance(query, exp.Query) or not any(query.find_all(exp.Div, exp.Avg, exp.Sum)):
        return statement
    try:
        typed = _typed(query, catalog())
    except (SqlglotError, KeyError, ValueError):
        return statement
    if query is statement:
        return typed
    statement.set("expression", typed)
    return statement


def _typed(query: Any, catalog: dict[str, Any]) -> Any:
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.schema import MappingSchema

    schema = MappingSchema(catalog, dialect="duckdb")
    tree = qualify(
        query.copy(),
        schema=schema,
        dialect="redshift",
        expand_stars=False,
        quote_identifiers=False,
        identify=False,
        validate_qualify_columns=False,
    )
    annotate_types(tree, schema=schema, dialect="redshift")
    while True:
        node, target = _next_to_cast(tree)
        if node is None:
            return tree
        _cast(node, target)
        annotate_types(tree, schema=schema, dialect="redshift")


def _next_to_cast(tree: Any) -> tuple[Any, Any]:
    """The innermost sum, average or division whose Redshift type is still to be given."""
    from sqlglot import exp

    for node in reversed(list(tree.walk())):
        if isinstance(node, exp.Div | exp.Avg | exp.Sum) and not node.meta.get(TYPED):
            target = redshift_type(node)
            node.meta[TYPED] = True
            if target is not None:
                return node, target
    return None, None


def _cast(node: Any, target: str) -> None:
    from sqlglot import exp

    while isinstance(node.parent, exp.Window | exp.Filter) and node.parent.this is node:
        node = node.parent  # the cast goes around `sum(x) over (...)`, not inside it
    replacement = node.copy()
    if target == "BIGINT" and isinstance(node.find(exp.Avg), exp.Avg):
        replacement = exp.func("TRUNC", replacement)
    node.replace(exp.cast(replacement, target, dialect="redshift"))


def redshift_type(node: Any) -> str | None:
    """The type Redshift gives a sum, an average or a division of typed operands (None: the
    same as DuckDB's, or unknown)."""
    from sqlglot import exp

    if isinstance(node, exp.Sum):
        return _sum_type(_decimal(node.this))
    if isinstance(node, exp.Avg):
        operand = _decimal(node.this)
        if operand is None:
            return None
        _, scale, integer = operand
        return "BIGINT" if integer else f"DECIMAL({MAX_PRECISION}, {scale})"
    left, right = _decimal(node.this), _decimal(node.expression)
    if left is None or right is None or (left[2] and right[2]):
        return None  # floats, unknown types, or integers (sqlglot divides them as integers)
    return division_type(left[:2], right[:2])


def _sum_type(operand: tuple[int, int, bool] | None) -> str | None:
    if operand is None:
        return None
    _, scale, integer = operand
    return "BIGINT" if integer else f"DECIMAL({MAX_PRECISION}, {scale})"


def division_type(left: tuple[int, int], right: tuple[int, int]) -> str:
    (p1, s1), (p2, s2) = left, right
    scale = min(max(MIN_DIVISION_SCALE, s1 + p2 - s2 + 1), MAX_PRECISION)
    precision = p1 - s1 + s2 + scale
    if precision > MAX_PRECISION:
        scale = max(MIN_DIVISION_SCALE, scale - (precision - MAX_PRECISION))
        precision = MAX_PRECISION
    return f"DECIMAL({precision}, {scale})"


def _decimal(node: Any) -> tuple[int, int, bool] | None:
    """(precision, scale, is an integer) of an exact numeric operand; None otherwise."""
    from sqlglot import exp

    kind = node.type
    if kind is None:
        return None
    name = kind.this.name
    if name in INTEGER_DIGITS:
        return INTEGER_DIGITS[name], 0, True
    if kind.this != exp.DataType.Type.DECIMAL:
        return None
    params = [int(param.name) for param in kind.expressions]
    if len(params) == 2:
        return params[0], params[1], False
    return None  # a DECIMAL sqlglot could not size: leave it to DuckDB
