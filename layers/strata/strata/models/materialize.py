"""Materializations, written for Redshift (DuckDB runs them locally, transpiled).

- **view**: ``CREATE OR REPLACE VIEW ... WITH NO SCHEMA BINDING``. Every Strata view is
  late-binding: Spectrum (external) tables require it, and a late-binding view survives the
  table swap below, so rebuilding a table never has to drop or recreate its dependents.
- **table**: built beside the live table under ``<name>__strata_new``, then swapped in (drop
  the old, rename the new) in the same transaction (one BatchExecuteStatement): readers see
  the old table or the new one, never a half-built one.
- **incremental**: the first build, a ``--full-refresh`` or a relation that is not a table yet
  build it like a table. Otherwise the new rows (the model rendered with ``is_incremental()``)
  go to a temporary table, deduplicated on ``unique_key`` (Redshift's MERGE fails on duplicate
  source keys), then are appended, or delete+insert-ed, or MERGEd into the table, in one
  transaction. The existing table's columns (from the run's catalog probe) name the columns.

Table-building batches end with ``SELECT COUNT(*) AS strata_rows``: the rows in the new table,
or the new rows of an incremental run. The model's descriptions follow the build, as comments
(:mod:`strata.models.descriptions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from strata.errors import ModelError
from strata.models.descriptions import COMMENT_SQLS, with_comments

ROWS_COLUMN = "strata_rows"
NEW_SUFFIX = "__strata_new"
DELTA_SUFFIX = "__strata_delta"


@dataclass(frozen=True)
class Existing:
    """A relation found in the warehouse before the run."""

    kind: str  # table | view
    columns: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Build:
    sqls: list[str]
    mode: str  # view | table | full-refresh | incremental
    counts_rows: bool  # the last statement returns ROWS_COLUMN


def build(model: dict[str, Any], existing: Existing | None, *, full_refresh: bool) -> Build:
    """The statements that materialize one model (a manifest node), then its comments."""
    built = _materialize(model, existing, full_refresh=full_refresh)
    comments = model.get(COMMENT_SQLS) or []
    return replace(
        built, sqls=with_comments(built.sqls, comments, last_returns_rows=built.counts_rows)
    )


def _materialize(model: dict[str, Any], existing: Existing | None, *, full_refresh: bool) -> Build:
    materialized = model["materialized"]
    if materialized == "view":
        return _view(model, existing)
    if materialized == "table":
        return _table(model, existing, model["compiled_code"], "table")
    if materialized == "incremental":
        if full_refresh or existing is None or existing.kind != "table":
            mode = "full-refresh" if full_refresh and existing else "table"
            return _table(model, existing, model["compiled_code"], mode)
        return _incremental(model, existing)
    raise ModelError(f"materialized={materialized!r} is not supported", model=model["name"])


def _view(model: dict[str, Any], existing: Existing | None) -> Build:
    create = (
        f"CREATE OR REPLACE VIEW {model['relation']} AS\n{model['compiled_code']}\n"
        "WITH NO SCHEMA BINDING"
    )
    if existing is not None and existing.kind == "table":
        return Build([f"DROP TABLE {model['relation']}", create], "view", counts_rows=False)
    return Build([create], "view", counts_rows=False)


def _table(model: dict[str, Any], existing: Existing | None, sql: str, mode: str) -> Build:
    schema, name, relation = model["schema"], model["name"], model["relation"]
    staging = f"{schema}.{name}{NEW_SUFFIX}"
    sqls = [
        f"DROP TABLE IF EXISTS {staging}",
        f"CREATE TABLE {staging}{_table_attributes(model['config'])} AS\n{sql}",
    ]
    if existing is not None:
        sqls.append(f"DROP {'VIEW' if existing.kind == 'view' else 'TABLE'} {relation}")
    sqls += [
        f"ALTER TABLE {staging} RENAME TO {name}",
        f"SELECT COUNT(*) AS {ROWS_COLUMN} FROM {relation}",
    ]
    return Build(sqls, mode, counts_rows=True)


def _table_attributes(config: dict[str, Any]) -> str:
    parts = []
    dist = config.get("dist")
    if dist:
        style = dist.lower()
        parts.append(
            f"DISTSTYLE {style.upper()}"
            if style in ("even", "all", "auto")
            else f"DISTSTYLE KEY DISTKEY ({dist})"
        )
    if config.get("sort"):
        kind = str(config.get("sort_type", "compound")).upper()
        parts.append(f"{kind} SORTKEY ({', '.join(config['sort'])})")
    return "".join(f" {part}" for part in parts)


def _incremental(model: dict[str, Any], existing: Existing) -> Build:
    name, relation = model["name"], model["relation"]
    config = model["config"]
    keys: list[str] = list(config.get("unique_key") or [])
    columns = list(existing.columns)
    if not columns:
        raise ModelError(f"the columns of {relation} are unknown: cannot merge into it", model=name)
    delta = f"{name}{DELTA_SUFFIX}"
    new_rows = f"SELECT * FROM (\n{model['compiled_code_incremental']}\n) AS strata_new"
    if keys:
        by = ", ".join(keys)
        new_rows += f"\nQUALIFY ROW_NUMBER() OVER (PARTITION BY {by} ORDER BY {by}) = 1"
    sqls = [f"CREATE TEMP TABLE {delta} AS\n{new_rows}"]
    strategy = config["incremental_strategy"]
    listed = ", ".join(columns)
    insert = f"INSERT INTO {relation} ({listed})\nSELECT {listed} FROM {delta}"
    if strategy == "append":
        sqls.append(insert)
    elif strategy == "delete+insert":
        match = " AND ".join(f"{name}.{key} = {delta}.{key}" for key in keys)
        sqls += [f"DELETE FROM {relation} USING {delta}\nWHERE {match}", insert]
    else:
        sqls.append(_merge(relation, name, delta, keys, columns))
    sqls.append(f"SELECT COUNT(*) AS {ROWS_COLUMN} FROM {delta}")
    return Build(sqls, "incremental", counts_rows=True)


def _merge(relation: str, name: str, delta: str, keys: list[str], columns: list[str]) -> str:
    match = " AND ".join(f"{name}.{key} = strata_new.{key}" for key in keys)
    updated = [column for column in columns if column not in keys] or keys
    assignments = ", ".join(f"{column} = strata_new.{column}" for column in updated)
    values = ", ".join(f"strata_new.{column}" for column in columns)
    return (
        f"MERGE INTO {relation} USING {delta} AS strata_new\nON {match}\n"
        f"WHEN MATCHED THEN UPDATE SET {assignments}\n"
        f"WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}) VALUES ({values})"
    )
