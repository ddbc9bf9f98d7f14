"""SQL of data tests and freshness checks, in Redshift's dialect.

A test is a query returning the failing rows. Strata runs it wrapped so that one statement
returns both the number of failing rows and a sample of them: the first rows, each carrying
the total in ``strata_failures`` (no rows: the test passed).
"""

from __future__ import annotations

from typing import Any

from strata.errors import ModelError
from strata.models.project import TestSpec

SAMPLE_ROWS = 5
FAILURES_COLUMN = "strata_failures"


def generic_test_sql(test: TestSpec, relation: str, parent: str | None = None) -> str:
    column = test.column
    if test.kind == "not_null":
        return f"SELECT * FROM {relation} WHERE {column} IS NULL"
    if test.kind == "unique":
        return (
            f"SELECT {column} AS unique_field, COUNT(*) AS n_records FROM {relation} "
            f"WHERE {column} IS NOT NULL GROUP BY {column} HAVING COUNT(*) > 1"
        )
    if test.kind == "accepted_values":
        quote = test.arguments.get("quote", True)
        values = ", ".join(_literal(value, quote) for value in test.arguments["values"])
        return f"SELECT * FROM {relation} WHERE {column} NOT IN ({values})"
    if test.kind == "relationships":
        field = test.arguments["field"]
        return (
            f"SELECT child.{column} AS missing_value FROM {relation} AS child "
            f"LEFT JOIN {parent} AS parent ON child.{column} = parent.{field} "
            f"WHERE child.{column} IS NOT NULL AND parent.{field} IS NULL"
        )
    raise ModelError(f"test {test.kind!r} is not supported", model=test.model)


def test_query(failing_sql: str) -> str:
    """Failing rows → up to SAMPLE_ROWS of them, each with the total count."""
    return (
        f"SELECT *, COUNT(*) OVER () AS {FAILURES_COLUMN} FROM (\n{failing_sql}\n) AS failing "
        f"LIMIT {SAMPLE_ROWS}"
    )


def freshness_query(relation: str, loaded_at: str, where: str | None = None) -> str:
    condition = f" WHERE {where}" if where else ""
    return f"SELECT MAX({loaded_at}) AS max_loaded_at FROM {relation}{condition}"


def _literal(value: Any, quote: bool) -> str:
    if not quote:
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"
