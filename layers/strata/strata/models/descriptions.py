"""Descriptions written into the warehouse, so SQL clients and BI tools show them.

A model's ``description`` and its columns' descriptions (the models' YAML) become ``COMMENT
ON`` statements that run right after the model is built, in the same batch (dbt's
``persist_docs``, on by default; ``persist_docs: {relation: false, columns: false}`` turns
either off). They are rendered by sqlglot in Redshift's dialect, which escapes quotes and
backslashes; locally they are transpiled to DuckDB like every other statement.

What Redshift takes: a comment on a table, on a table's columns and on a view; not on a
late-binding view's columns (every Strata view is one), nor on Spectrum's external tables,
whose descriptions live in the Glue Data Catalog (the contracts' descriptions, written by the
catalog). The adapters declare this (:class:`~strata.warehouse.config.Capabilities`): the local
DuckDB takes comments on a view's columns, so the twin shows them there too.

A column is commented only when the model's SQL names it: ``COMMENT ON COLUMN`` on a column
the model does not have would fail the build, and a ``select *`` leaves its columns unknown
until the warehouse has them (dbt likewise comments only the columns that exist).
"""

from __future__ import annotations

from typing import Any

from strata.models.project import Model
from strata.warehouse.base import DATA_API_MAX_BATCH
from strata.warehouse.config import Capabilities

COMMENT_SQLS = "comment_sqls"  # the manifest node's key for a model's statements


def comment_sqls(model: Model, capabilities: Capabilities) -> list[str]:
    """The ``COMMENT ON`` statements for a built model, in Redshift's dialect."""
    from sqlglot import exp

    docs = model.config.persist_docs
    kind = "VIEW" if model.materialized == "view" else "TABLE"
    relation = exp.to_table(model.relation, dialect="redshift")
    statements = []
    description = model.description or model.config.description or ""
    if docs.relation and description.strip():
        statements.append(_comment(kind, relation, description))
    if docs.columns and (kind == "TABLE" or capabilities.comments_on_view_columns):
        outputs = output_columns(model.compiled_sql)
        for name, text in model.columns.items():
            if text.strip() and name.lower() in outputs:
                column = exp.column(name, table=relation.name, db=relation.db, quoted=False)
                statements.append(_comment("COLUMN", column, text))
    return [statement.sql(dialect="redshift") for statement in statements]


def output_columns(sql: str) -> set[str]:
    """The (lower-cased) names of the columns a query returns, as far as its text says."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        query = sqlglot.parse_one(sql, read="redshift")
    except SqlglotError:
        return set()
    if not isinstance(query, exp.Query):
        return set()
    return {name.lower() for name in query.named_selects if name and name != "*"}


def with_comments(sqls: list[str], comments: list[str], *, last_returns_rows: bool) -> list[str]:
    """A build's statements with the comments after the build, before the row count a table
    build ends with. Comments past the Data API's batch limit are left out: a model's build
    must never fail for its documentation."""
    room = max(0, DATA_API_MAX_BATCH - len(sqls))
    fitting = comments[:room]
    if last_returns_rows:
        return [*sqls[:-1], *fitting, sqls[-1]]
    return [*sqls, *fitting]


def _comment(kind: str, target: Any, text: str) -> Any:
    from sqlglot import exp

    return exp.Comment(this=target, kind=kind, expression=exp.Literal.string(text.strip()))
