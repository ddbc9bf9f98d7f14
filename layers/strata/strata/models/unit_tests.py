"""dbt's unit tests, run on the local twin: DuckDB in memory, the mock inputs as tables.

For each unit test, the run's in-memory warehouse (emptied between tests) gets the cleansed
tables the model's lineage reads (empty, typed by their contracts) and every ancestor model as
a view: so each input's columns and types are the real ones. Each given input is then
replaced by a table of its mock rows (a column the input does not have is an error at the
YAML's line; columns left out are NULL, as in dbt), the model's Redshift SQL runs through the
transpiler like any local statement, and its rows are compared with the expected ones as
multisets, on the columns ``expect`` names. A failure lists the missing and the extra rows,
and, for rows that share their first expected column, which columns differ.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from strata.errors import ModelError, StrataError
from strata.models.compiler import CompiledProject, render_for_unit_test
from strata.models.plan import RunOptions, compile_for
from strata.models.project import Model
from strata.models.selection import select
from strata.models.unit_specs import MockInput, UnitTestSpec
from strata.models.yamlfile import shown
from strata.project import Project
from strata.settings import Settings

RESULT_SCHEMA = "strata_unit"
SHOWN_ROWS = 10


@dataclass
class UnitTestResult:
    name: str
    model: str
    status: str  # pass | fail | error
    message: str
    seconds: float
    diff: list[str] = field(default_factory=list)  # readable lines, on failure


def run_unit_tests(
    project: Project, settings: Settings, options: RunOptions | None = None
) -> list[UnitTestResult]:
    """The unit tests of the selected models, one after the other on an in-memory warehouse."""
    from strata.warehouse.config import DuckDBConfig
    from strata.warehouse.duckdb import DuckDBWarehouse

    options = options or RunOptions()
    compiled = compile_for(project, settings, options.target, options.variables)
    chosen = set(select(compiled, options.select, options.exclude).models)
    tests = [test for test in compiled.project.unit_tests if test.enabled and test.model in chosen]
    if not tests:
        return []
    warehouse = DuckDBWarehouse(DuckDBConfig(path=":memory:"))
    try:
        return [_run(_Twin(compiled, project, test, warehouse)) for test in tests]
    finally:
        warehouse.close()


def _run(twin: _Twin) -> UnitTestResult:
    started = time.perf_counter()
    test = twin.test
    try:
        status, message, diff = twin.run()
    except StrataError as exc:
        status, message, diff = "error", str(exc), []
    seconds = time.perf_counter() - started
    return UnitTestResult(test.name, test.model, status, message, seconds, diff)


class _Twin:
    """One unit test on the run's in-memory warehouse."""

    def __init__(
        self, compiled: CompiledProject, project: Project, test: UnitTestSpec, warehouse: Any
    ) -> None:
        self.compiled = compiled
        self.project = project
        self.test = test
        self.model = compiled.model(test.model)
        self.file = shown(test.path)
        self.warehouse = warehouse
        self.schemas: set[str] = set()

    def run(self) -> tuple[str, str, list[str]]:
        try:
            sql = render_for_unit_test(
                self.compiled, self.model, self.test.variables, self.test.macros
            )
            # The model's own relation is needed only to type a mock of `this`.
            itself = [self.model] if any(m.kind == "this" for m in self.test.given) else []
            lineage = [*self._ancestors(), *itself]
            self._create_sources([*lineage, self.model])
            for model in lineage:
                self._create_view(model)
            for mock in self.test.given:
                self._mock(mock)
            self._schema(RESULT_SCHEMA)
            self._statement(
                f"CREATE TABLE {RESULT_SCHEMA}.actual AS {sql}", f"model {self.model.name}"
            )
            return self._compare()
        finally:
            for schema in sorted(self.schemas):  # the next unit test starts from nothing
                self.warehouse.execute_native(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    def _ancestors(self) -> list[Model]:
        wanted: set[str] = set()
        pending = list(self.model.refs)
        while pending:
            name = pending.pop()
            if name not in wanted:
                wanted.add(name)
                pending.extend(self.compiled.model(name).refs)
        return [model for model in self.compiled.models if model.name in wanted]

    def _create_sources(self, lineage: list[Model]) -> None:
        from strata.catalog.tables import table_for
        from strata.catalog.types import duckdb_type

        resolve = self.compiled.resolve_source
        assert resolve is not None
        for source, name in sorted({source for model in lineage for source in model.sources}):
            relation = resolve(source, name)
            table = table_for(self.project.contracts[name], "")
            columns = [*table.columns, *table.partition_keys]
            typed = ", ".join(f'"{column.name}" {duckdb_type(column.type)}' for column in columns)
            self._schema(_schema(relation))
            self._native(f"CREATE TABLE {relation} ({typed})")

    def _create_view(self, model: Model) -> None:
        self._schema(_schema(model.relation))
        self._statement(
            f"CREATE VIEW {model.relation} AS {model.compiled_sql}", f"model {model.name}"
        )

    def _mock(self, mock: MockInput) -> None:
        relation = self._relation(mock)
        types = self._columns(relation)
        given = _columns_of(mock.rows)
        unknown = [column for column in given if column.lower() not in types]
        if unknown:
            raise ModelError(
                f"unit test {self.test.name!r}: {mock.written} ({relation}) has no column "
                f"{unknown[0]!r} (its columns: {', '.join(types)})",
                file=self.file,
                line=mock.line,
            )
        kind = self._native(
            "SELECT table_type FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            list(_split(relation)),
        ).rows[0][0]
        self._native(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {relation}")
        typed = ", ".join(f'"{name}" {kind}' for name, kind in types.items())
        self._native(f"CREATE TABLE {relation} ({typed})")
        self._insert(relation, types, mock.rows)

    def _relation(self, mock: MockInput) -> str:
        if mock.kind == "ref":
            return self.compiled.model(mock.name[0]).relation
        if mock.kind == "source":
            assert self.compiled.resolve_source is not None
            return self.compiled.resolve_source(*mock.name)
        return self.model.relation

    def _compare(self) -> tuple[str, str, list[str]]:
        actual = self._columns(f"{RESULT_SCHEMA}.actual")
        expected_columns = [column.lower() for column in _columns_of(self.test.expect)]
        unknown = [column for column in expected_columns if column not in actual]
        if unknown:
            raise ModelError(
                f"unit test {self.test.name!r}: {self.model.name} returns no column "
                f"{unknown[0]!r} (it returns: {', '.join(actual)})",
                file=self.file,
                line=self.test.expect_line,
            )
        compared = expected_columns or list(actual)
        types = {column: actual[column] for column in compared}
        self._native(
            f"CREATE TABLE {RESULT_SCHEMA}.expected ("
            + ", ".join(f'"{name}" {kind}' for name, kind in types.items())
            + ")"
        )
        self._insert(f"{RESULT_SCHEMA}.expected", types, self.test.expect)
        columns = ", ".join(f'"{name}"' for name in compared)
        missing = self._native(
            f"SELECT {columns} FROM {RESULT_SCHEMA}.expected EXCEPT ALL "
            f"SELECT {columns} FROM {RESULT_SCHEMA}.actual ORDER BY ALL"
        ).rows
        extra = self._native(
            f"SELECT {columns} FROM {RESULT_SCHEMA}.actual EXCEPT ALL "
            f"SELECT {columns} FROM {RESULT_SCHEMA}.expected ORDER BY ALL"
        ).rows
        returned = self._native(f"SELECT count(*) FROM {RESULT_SCHEMA}.actual").rows[0][0]
        if not missing and not extra:
            return "pass", f"{returned} row(s) as expected", []
        message = (
            f"{self.file}:{self.test.line}: expected {len(self.test.expect)} row(s), got "
            f"{returned}: {len(missing)} missing, {len(extra)} extra"
        )
        return "fail", message, row_diff(compared, missing, extra)

    def _insert(self, relation: str, types: dict[str, str], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        names = list(types)
        row_values = "(" + ", ".join(f"CAST(? AS {types[name]})" for name in names) + ")"
        quoted = ", ".join(f'"{name}"' for name in names)
        values = []
        for row in rows:
            lowered = {str(key).lower(): value for key, value in row.items()}
            values.extend(lowered.get(name) for name in names)
        placeholders = ", ".join([row_values] * len(rows))
        self._native(f"INSERT INTO {relation} ({quoted}) VALUES {placeholders}", values)

    def _columns(self, relation: str) -> dict[str, str]:
        result = self._native(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            list(_split(relation)),
        )
        return {str(name).lower(): str(kind) for name, kind in result.rows}

    def _schema(self, schema: str) -> None:
        if schema not in self.schemas:
            self._native(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            self.schemas.add(schema)

    def _statement(self, sql: str, what: str) -> None:
        """Redshift SQL, through the twin's transpiler."""
        try:
            self.warehouse.run(sql)
        except StrataError as exc:
            raise ModelError(
                f"unit test {self.test.name!r}: {what} fails on the twin: {exc}",
                file=self.file,
                line=self.test.line,
            ) from exc

    def _native(self, sql: str, parameters: list[Any] | None = None) -> Any:
        import duckdb

        try:
            return self.warehouse.execute_native(sql, parameters)
        except duckdb.Error as exc:
            raise ModelError(
                f"unit test {self.test.name!r}: {str(exc).strip()}",
                file=self.file,
                line=self.test.line,
            ) from exc


def row_diff(columns: list[str], missing: list[tuple], extra: list[tuple]) -> list[str]:
    """Missing and extra rows, then, for rows sharing their first column, what differs."""
    lines = []
    for label, rows in (("missing", missing), ("extra  ", extra)):
        for row in rows[:SHOWN_ROWS]:
            lines.append(
                f"{label}  " + ", ".join(_pair(c, v) for c, v in zip(columns, row, strict=True))
            )
        if len(rows) > SHOWN_ROWS:
            lines.append(f"{label}  … and {len(rows) - SHOWN_ROWS} more")
    for wanted in missing[:SHOWN_ROWS]:
        twins = [row for row in extra if row[0] == wanted[0]]
        if len(twins) != 1 or len(columns) < 2:
            continue
        changes = [
            f"{column} expected {_value(want)}, got {_value(got)}"
            for column, want, got in zip(columns[1:], wanted[1:], twins[0][1:], strict=True)
            if want != got
        ]
        lines.append(f"{_pair(columns[0], wanted[0])}: " + "; ".join(changes))
    return lines


def _pair(column: str, value: Any) -> str:
    return f"{column}={_value(value)}"


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _columns_of(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(str(key) for key in row))
    return list(seen)


def _split(relation: str) -> tuple[str, str]:
    schema, _, name = relation.rpartition(".")
    return schema, name


def _schema(relation: str) -> str:
    return _split(relation)[0]
