"""``strata models diff``: how one environment's models differ from another's, row by row.

For each model built in both environments with different checksums (or each selected one):
row counts, rows added, removed and changed, matched on the model's key
(:func:`strata.models.state.primary_key`), columns added, removed and retyped, and a sample of
the rows that differ. Everything is computed in the warehouse: a FULL OUTER JOIN on the key,
comparing the other shared columns one by one (which also counts the rows each column changed
in); without a key, an MD5 of each row's columns is counted on each side (a changed row then
shows as one removed and one added). Every statement is a SELECT (:func:`read_only`): a diff
never writes, to production or anywhere else.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from strata.errors import ModelError, WarehouseError
from strata.models.state import EnvironmentState
from strata.warehouse.base import QueryResult, Warehouse

SAMPLE_ROWS = 5
_HASH = "strata_hash"
_IN = "strata_in"
_NULL = "<NULL>"  # what a NULL hashes as (a backslash would be an escape in Redshift)


@dataclass
class ColumnChange:
    column: str
    change: str  # added | removed | retyped
    before: str | None = None
    after: str | None = None


@dataclass
class ModelDiff:
    model: str
    relation: str
    against: str
    key: list[str]  # empty: rows compared whole
    rows_before: int | None  # None: the model is new (no relation to compare with)
    rows_after: int
    added: int = 0
    removed: int = 0
    changed: int = 0
    columns: list[ColumnChange] = field(default_factory=list)
    changed_columns: dict[str, int] = field(default_factory=dict)  # column → rows it changed in
    sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed or self.columns)


@dataclass
class DiffReport:
    environment: str
    against: str
    models: list[ModelDiff]
    skipped: dict[str, str]  # model → why it was not compared

    def document(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "against": self.against,
            "models": [{**asdict(model), "identical": model.identical} for model in self.models],
            "skipped": self.skipped,
        }


def changed_models(
    mine: EnvironmentState, theirs: EnvironmentState, selected: list[str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The models to compare: the ``selected`` ones, or else those built in ``mine`` whose
    checksum differs from ``theirs``, with every model ``mine``'s last build built (the
    children of a change, whose data may differ though their SQL does not). Also those that
    cannot be compared, with why."""
    last = set((mine.last_build or {}).get("models") or [])
    names = selected if selected is not None else sorted(mine.models)
    compared, skipped = [], {}
    for name in names:
        entry = mine.built(name)
        if entry is None:
            if selected is not None or name in last:
                skipped[name] = f"not built in {mine.environment}"
            continue
        other = theirs.built(name)
        unchanged = other is not None and other["checksum"] == entry["checksum"]
        if selected is None and unchanged and name not in last:
            continue
        compared.append(name)
    return compared, skipped


def diff_environments(
    warehouse: Warehouse,
    mine: EnvironmentState,
    theirs: EnvironmentState,
    models: list[str],
    places: dict[str, tuple[str, int | None]] | None = None,
    sample: int = SAMPLE_ROWS,
) -> list[ModelDiff]:
    """``places``: where each model's key is declared (file, line), for the errors."""
    relations = []
    for name in models:
        relations.append(mine.models[name]["relation"])
        if name in theirs.models:
            relations.append(theirs.models[name]["relation"])
    columns = _columns(warehouse, relations)
    results = []
    for name in models:
        entry, other = mine.models[name], theirs.models.get(name)
        place = (places or {}).get(name, (entry.get("path") or name, None))
        results.append(diff_model(warehouse, name, entry, other, columns, place, sample))
    return results


def diff_model(
    warehouse: Warehouse,
    name: str,
    entry: dict[str, Any],
    other: dict[str, Any] | None,
    columns: dict[str, dict[str, str]],
    place: tuple[str, int | None],
    sample: int = SAMPLE_ROWS,
) -> ModelDiff:
    relation = entry["relation"]
    after_columns = columns.get(relation) or _names_only(warehouse, relation)
    key = list(entry.get("key") or [])
    against = other["relation"] if other else ""
    before_columns = (
        (columns.get(against) or _names_only(warehouse, against, None)) if other else None
    )
    if before_columns is None:
        rows = _scalar(warehouse, f"SELECT COUNT(*) FROM {relation}")
        new = [ColumnChange(column, "added", None, kind) for column, kind in after_columns.items()]
        return ModelDiff(name, relation, against, key, None, rows, added=rows, columns=new)
    their_key = list(other.get("key") or [])
    if their_key and key and their_key != key:
        file, line = place
        raise ModelError(
            f"cannot diff {name}: its key is {', '.join(key)} here but "
            f"{', '.join(their_key)} in {against}; diff with the same key on both sides",
            model=name,
            file=file,
            line=line,
        )
    for column in key:
        for rel, present in ((relation, after_columns), (against, before_columns)):
            if column not in present:
                file, line = place
                raise ModelError(
                    f"cannot diff {name}: key column {column!r} is not a column of {rel}",
                    model=name,
                    file=file,
                    line=line,
                )
    shared = [column for column in after_columns if column in before_columns]
    result = ModelDiff(
        name,
        relation,
        against,
        key,
        rows_before=0,
        rows_after=0,
        columns=_column_changes(before_columns, after_columns),
    )
    values = [column for column in shared if column not in key]
    retyped = {change.column for change in result.columns if change.change == "retyped"}
    if key:
        _by_key(warehouse, result, values, retyped, sample)
    else:
        _by_hash(warehouse, result, shared)
    return result


def read_only(sql: str) -> str:
    """Every statement a diff submits goes through here: only a query may pass."""
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if head not in ("SELECT", "WITH"):
        raise ModelError(f"a diff only reads: refused to run {head or 'an empty statement'}")
    return sql


def _run(warehouse: Warehouse, sql: str) -> QueryResult:
    return warehouse.run(read_only(sql), poll=0.05)


def _scalar(warehouse: Warehouse, sql: str) -> int:
    return int(_run(warehouse, sql).rows[0][0] or 0)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(warehouse: Warehouse, relations: list[str]) -> dict[str, dict[str, str]]:
    """Each relation's columns and types, in order (the catalog's view of them)."""
    if not relations:
        return {}
    wanted = " OR ".join(
        f"(table_schema = '{schema}' AND table_name = '{table}')"
        for schema, table in (relation.split(".", 1) for relation in sorted(set(relations)))
    )
    result = _run(
        warehouse,
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns"
        f" WHERE {wanted} ORDER BY table_schema, table_name, ordinal_position",
    )
    found: dict[str, dict[str, str]] = {}
    for schema, table, column, kind in result.rows:
        found.setdefault(f"{schema}.{table}", {})[str(column)] = str(kind)
    return found


_MUST = object()


def _names_only(warehouse: Warehouse, relation: str, missing: Any = _MUST) -> Any:
    """A relation the catalog does not describe (Redshift's late-binding views): its columns
    by name, types unknown; ``missing`` when it cannot be read, if given."""
    try:
        result = _run(warehouse, f"SELECT * FROM {relation} LIMIT 0")
    except WarehouseError as exc:
        if missing is not _MUST:
            return missing
        raise ModelError(f"cannot read {relation}: build it before diffing it ({exc})") from exc
    return {column: "unknown" for column in result.columns}


def _column_changes(before: dict[str, str], after: dict[str, str]) -> list[ColumnChange]:
    changes = [ColumnChange(c, "added", None, t) for c, t in after.items() if c not in before]
    changes += [ColumnChange(c, "removed", t, None) for c, t in before.items() if c not in after]
    changes += [
        ColumnChange(c, "retyped", before[c], t)
        for c, t in after.items()
        if c in before and before[c] != t and "unknown" not in (before[c], t)
    ]
    return changes


def _row_hash(columns: list[str]) -> str:
    if not columns:
        return "''"
    parts = [f"COALESCE(CAST({_quote(c)} AS VARCHAR(65535)), '{_NULL}')" for c in columns]
    return "MD5(" + " || '|' || ".join(parts) + ")"


def _differs(column: str, retyped: bool) -> str:
    """The two sides' values differ (NULL against a value too; Redshift has no ``IS DISTINCT
    FROM``); a retyped column is compared as text."""
    b, a = f"b.{_quote(column)}", f"a.{_quote(column)}"
    if retyped:
        b, a = f"CAST({b} AS VARCHAR(65535))", f"CAST({a} AS VARCHAR(65535))"
    return f"({a} <> {b} OR ({a} IS NULL AND {b} IS NOT NULL) OR ({a} IS NOT NULL AND {b} IS NULL))"


def _joined(result: ModelDiff, values: list[str]) -> str:
    """Both sides, FULL OUTER JOINed on the key; ``strata_in`` tells a side has the row."""
    listed = ", ".join(_quote(c) for c in [*result.key, *values])
    on = " AND ".join(f"b.{_quote(k)} = a.{_quote(k)}" for k in result.key)
    return (
        f"(SELECT {listed}, 1 AS {_IN} FROM {result.against}) AS b\n"
        f"FULL OUTER JOIN (SELECT {listed}, 1 AS {_IN} FROM {result.relation}) AS a ON {on}"
    )


def _by_key(
    warehouse: Warehouse, result: ModelDiff, values: list[str], retyped: set[str], sample: int
) -> None:
    """Compared column by column: cheaper than hashing each side's rows, and it tells which
    columns changed."""
    both = f"b.{_IN} = 1 AND a.{_IN} = 1"
    differs = {column: _differs(column, column in retyped) for column in values}
    any_differs = " OR ".join(differs.values()) or "FALSE"
    per_column = "".join(
        f",\n SUM(CASE WHEN {both} AND {test} THEN 1 ELSE 0 END)" for test in differs.values()
    )
    counts = _run(
        warehouse,
        f"SELECT SUM(COALESCE(b.{_IN}, 0)), SUM(COALESCE(a.{_IN}, 0)),"
        f" SUM(CASE WHEN b.{_IN} IS NULL THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN a.{_IN} IS NULL THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {both} AND ({any_differs}) THEN 1 ELSE 0 END){per_column}\n"
        f"FROM {_joined(result, values)}",
    ).rows[0]
    before, after, added, removed, changed, *columns = (int(value or 0) for value in counts)
    result.rows_before, result.rows_after = before, after
    result.added, result.removed, result.changed = added, removed, changed
    result.changed_columns = {c: n for c, n in zip(values, columns, strict=True) if n}
    if sample and (added or removed or changed):
        where = f"b.{_IN} IS NULL OR a.{_IN} IS NULL OR {any_differs}"
        result.sample = _sample(warehouse, result, values, where, sample)


def _sample(
    warehouse: Warehouse, result: ModelDiff, values: list[str], where: str, sample: int
) -> list[dict[str, Any]]:
    """A few differing rows: the key, what happened, and each differing column's values."""
    keys = [_quote(k) for k in result.key]
    picked = ", ".join(
        [f"COALESCE(a.{k}, b.{k}) AS {k}" for k in keys]
        + [f"b.{_quote(c)} AS {_quote('before:' + c)}" for c in values]
        + [f"a.{_quote(c)} AS {_quote('after:' + c)}" for c in values]
        + [f"b.{_IN} AS strata_before", f"a.{_IN} AS strata_after"]
    )
    rows = _run(
        warehouse,
        f"SELECT {picked}\nFROM {_joined(result, values)}\nWHERE {where}\n"
        f"ORDER BY {', '.join(str(n + 1) for n in range(len(keys)))} LIMIT {int(sample)}",
    )
    found = []
    for row in rows.rows:
        record = dict(zip(rows.columns, row, strict=True))
        entry: dict[str, Any] = {k: record[k] for k in result.key}
        if record["strata_before"] is None:
            entry["change"] = "added"
        elif record["strata_after"] is None:
            entry["change"] = "removed"
        else:
            entry["change"] = "changed"
            entry["columns"] = {
                c: {"before": record[f"before:{c}"], "after": record[f"after:{c}"]}
                for c in values
                if record[f"before:{c}"] != record[f"after:{c}"]
            }
        found.append(entry)
    return found


def _by_hash(warehouse: Warehouse, result: ModelDiff, shared: list[str]) -> None:
    side = f"SELECT {_row_hash(shared)} AS {_HASH}, COUNT(*) AS n FROM {{}} GROUP BY 1"
    counts = _run(
        warehouse,
        f"WITH b AS ({side.format(result.against)}), a AS ({side.format(result.relation)})\n"
        "SELECT SUM(COALESCE(b.n, 0)), SUM(COALESCE(a.n, 0)),"
        " SUM(GREATEST(COALESCE(a.n, 0) - COALESCE(b.n, 0), 0)),"
        " SUM(GREATEST(COALESCE(b.n, 0) - COALESCE(a.n, 0), 0))"
        f" FROM b FULL OUTER JOIN a ON a.{_HASH} = b.{_HASH}",
    ).rows[0]
    before, after, added, removed = (int(value or 0) for value in counts)
    result.rows_before, result.rows_after = before, after
    result.added, result.removed = added, removed


def key_places(
    files: dict[str, str], keys: dict[str, list[str]]
) -> dict[str, tuple[str, int | None]]:
    """Where each model's key is declared (``unique_key``, or the key column in its YAML),
    as ``warehouse/<path>`` and line, for the errors of :func:`diff_model`."""
    places: dict[str, tuple[str, int | None]] = {}
    for name, key in keys.items():
        wanted = ["unique_key", *(f"name: {column}" for column in key)]
        for path, text in sorted(files.items()):
            lines = text.splitlines()
            if path.endswith(f"/{name}.sql"):
                start = 0
            elif path.endswith((".yml", ".yaml")) and f"name: {name}" in text:
                start = next(i for i, line in enumerate(lines) if f"name: {name}" in line)
            else:
                continue
            found = next(
                (i for i in range(start, len(lines)) if any(w in lines[i] for w in wanted)), None
            )
            if found is not None or name not in places:
                places[name] = (f"warehouse/{path}", None if found is None else found + 1)
            if found is not None:
                break
    return places


def markdown(report: DiffReport) -> str:
    """The report as a pull request comment."""
    lines = [f"### Models: `{report.environment}` against `{report.against}`", ""]
    if not report.models:
        lines.append(f"No model differs from `{report.against}`.")
    else:
        lines += [
            "| model | rows before | rows after | added | removed | changed | key | columns |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for model in report.models:
            before = "new" if model.rows_before is None else str(model.rows_before)
            columns = ", ".join(
                [f"{c.change} `{c.column}`" for c in model.columns]
                + [f"`{c}` changed in {n}" for c, n in model.changed_columns.items()]
            )
            key = ", ".join(f"`{k}`" for k in model.key) or "(whole row)"
            lines.append(
                f"| `{model.model}` | {before} | {model.rows_after} | {model.added} | "
                f"{model.removed} | {model.changed} | {key} | {columns or '-'} |"
            )
    for model in report.models:
        if model.sample:
            lines += ["", f"<details><summary>{model.model}: differing rows</summary>", ""]
            lines += ["```json", *(json.dumps(row, default=str) for row in model.sample), "```"]
            lines += ["", "</details>"]
    for name, why in report.skipped.items():
        lines.append(f"- `{name}` not compared: {why}")
    return "\n".join(lines)
