"""The source contract: one YAML file per source in ``sources/``.

Every field carries a description: ``docs/sources.md`` is generated from this model
(``strata docs``) and a test keeps it current.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from strata.contracts.base import StrictModel
from strata.contracts.freshness import Freshness
from strata.contracts.ingestion import ApiSettings, S3DropSettings, SftpSettings

SNAKE_CASE = r"^[a-z][a-z0-9_]*$"
TYPE_PATTERN = (
    r"^(string|int|bigint|double|boolean|date|timestamp|timestamptz|json"
    r"|decimal\(\s*\d{1,2}\s*,\s*\d{1,2}\s*\))$"
)

# What a value that is not exactly one value of its type becomes (see Column).
Rounding = Literal["reject", "half_up", "half_even", "truncate"]
Ambiguous = Literal["reject", "earlier", "later"]
Nonexistent = Literal["reject", "shift_forward"]


class Column(StrictModel):
    """A column of the cleansed table."""

    name: str = Field(
        pattern=SNAKE_CASE,
        description="Column name in the cleansed table, snake_case.",
    )
    type: str = Field(
        pattern=TYPE_PATTERN,
        description=(
            "Type: string, int, bigint, decimal(p,s), double, boolean, date, timestamp "
            "(naive, read in the source's timezone), timestamptz, json."
        ),
    )
    nullable: bool = Field(True, description="Whether an empty value is accepted.")
    description: str = Field("", description="What the column means, for the catalog and docs.")
    source_name: str | None = Field(
        None, description="The field's name in the source file when it differs from `name`."
    )
    format: str | None = Field(
        None,
        description="strptime format for date and timestamp columns, e.g. `%d/%m/%Y %H:%M`.",
    )
    rounding: Rounding = Field(
        "reject",
        description=(
            "For int, bigint and decimal columns: what a value with more decimal places than "
            "the type keeps becomes (`10.555` in a `decimal(12,2)`, `1.5` in an `int`). "
            "`reject` quarantines the row; `half_up` rounds halves away from zero (10.56), "
            "`half_even` to the even neighbour (10.56; 10.545 gives 10.54), `truncate` drops "
            "the extra digits (10.55)."
        ),
    )
    ambiguous: Ambiguous = Field(
        "reject",
        description=(
            "For timestamp columns read in a `timezone` with daylight saving: a local time that "
            "happens twice, when the clocks go back (02:30 on 2026-10-25 in Europe/Madrid), is "
            "rejected, or taken as its `earlier` or `later` instant."
        ),
    )
    nonexistent: Nonexistent = Field(
        "reject",
        description=(
            "For timestamp columns read in a `timezone` with daylight saving: a local time the "
            "clocks skip when they go forward (02:30 on 2026-03-29 in Europe/Madrid) is "
            "rejected, or `shift_forward`: moved later by the length of the gap (03:30 CEST), "
            "as java.time and Python's zoneinfo read it."
        ),
    )

    @property
    def source_field(self) -> str:
        return self.source_name or self.name

    @field_validator("type")
    @classmethod
    def _normalise_type(cls, value: str) -> str:
        value = re.sub(r"\s+", "", value)
        _check_decimal_bounds(value)
        return value

    @model_validator(mode="after")
    def _options_fit_the_type(self) -> Column:
        numeric = self.type in ("int", "bigint") or self.type.startswith("decimal")
        if self.rounding != "reject" and not numeric:
            raise ValueError("`rounding` applies to int, bigint and decimal columns only")
        timestamp = self.type == "timestamp"
        for option, value in (("ambiguous", self.ambiguous), ("nonexistent", self.nonexistent)):
            if value != "reject" and not timestamp:
                raise ValueError(f"`{option}` applies to timestamp columns only")
        return self


# Redshift's DECIMAL holds at most 38 digits; a wider one fails only when the table is built.
MAX_DECIMAL_PRECISION = 38


def _check_decimal_bounds(value: str) -> None:
    bounds = re.fullmatch(r"decimal\((\d+),(\d+)\)", value)
    if not bounds:
        return
    precision, scale = int(bounds[1]), int(bounds[2])
    if not 1 <= precision <= MAX_DECIMAL_PRECISION:
        raise ValueError(
            f"invalid type {value}: the precision must be 1 to {MAX_DECIMAL_PRECISION} "
            "(Redshift's limit)"
        )
    if scale > precision:
        raise ValueError(f"invalid type {value}: the scale must not exceed the precision")


Encoding = Literal["auto", "utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"]
ENCODING_DESCRIPTION = (
    "Text encoding. `auto` detects it: a byte-order mark decides (UTF-8 or UTF-16), else the "
    "first MiB is tried as UTF-8, then cp1252, then latin-1. A file mixing UTF-8 with another "
    "encoding, or with bytes the encoding cannot decode, is quarantined whole."
)
Compression = Literal["auto", "none", "gzip", "zip", "tar"]
COMPRESSION_DESCRIPTION = (
    "Container: `auto` recognises gzip, zip and tar (`.tar` or `.tar.gz`) by their bytes, "
    "whatever the file name; `tar` accepts a tar archive gzipped or not. "
    "Each file of a zip or tar archive is converted and accounted separately (files in name "
    "order; folders, links, `__MACOSX/` and hidden files are skipped), its rows' "
    "`_source_file` being `<raw key>!<entry>`; one unreadable entry quarantines the whole "
    "archive."
)
MEMBERS_DESCRIPTION = (
    "For a zip or tar archive: a glob on the entries' paths inside it (`*.csv`, "
    "`export/orders_*.txt`; `*` matches across folders). Entries that do not match are "
    "skipped and listed in the run's drift notes; an archive with no matching entry is "
    "quarantined. When omitted, every entry is converted."
)


def _encoding(default: str = "utf-8", description: str = ENCODING_DESCRIPTION) -> Encoding:
    return Field(default, description=description)  # type: ignore[no-any-return]


def _compression() -> Compression:
    return Field("auto", description=COMPRESSION_DESCRIPTION)  # type: ignore[no-any-return]


def _members() -> str | None:
    return Field(None, min_length=1, description=MEMBERS_DESCRIPTION)  # type: ignore[no-any-return]


def _skip_rows() -> int:
    return Field(  # type: ignore[no-any-return]
        0, ge=0, description="Lines to skip before the header or data (a header record, say)."
    )


def _footer_rows() -> int:
    return Field(  # type: ignore[no-any-return]
        0,
        ge=0,
        description=(
            "Lines at the end of the file that are not records (a trailer, a total): the last "
            "non-blank lines, excluded from the data."
        ),
    )


def _row_count() -> str | None:
    return Field(  # type: ignore[no-any-return]
        None,
        description=(
            "A regular expression with one group, searched in the skipped header lines and the "
            "footer, that captures the number of records the sender wrote, e.g. "
            "`^TRAILER,(\\d+)` or `RECORDS=(\\d+)`. A file whose records (converted and "
            "rejected) do not add up to it is quarantined whole with both numbers, and so is "
            "one where the pattern finds no count."
        ),
    )


class _Counted(StrictModel):
    """The checks of a text format with header and footer lines (``_footer_rows``,
    ``_row_count``): each subclass declares those fields, in its own order."""

    @field_validator("row_count", check_fields=False)
    @classmethod
    def _one_group(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid pattern: {exc}") from exc
        if compiled.groups != 1:
            raise ValueError("the pattern must have exactly one group: (the row count)")
        return value

    @model_validator(mode="after")
    def _count_has_lines(self) -> _Counted:
        counted = getattr(self, "row_count", None)
        if counted is not None and not (getattr(self, "footer_rows", 0) or self.skip_rows):  # type: ignore[attr-defined]
            raise ValueError("row_count is searched in skipped lines: set footer_rows or skip_rows")
        return self


class CsvFormat(_Counted):
    """Delimited text (CSV, TSV), European CSV included (decimal comma, thousands dots)."""

    type: Literal["csv"] = Field(description="Delimited text.")
    delimiter: str = Field(
        ",", min_length=1, max_length=1, description="Field separator, e.g. `\\t` for TSV."
    )
    quote: str = Field('"', max_length=1, description="Quote character; empty for none.")
    escape: str = Field('"', max_length=1, description="Escape character inside quotes.")
    header: bool = Field(
        True,
        description=(
            "Whether the first row names the columns. Without a header, the schema's columns "
            "are the file's fields in order."
        ),
    )
    skip_rows: int = _skip_rows()
    footer_rows: int = _footer_rows()
    row_count: str | None = _row_count()
    encoding: Encoding = _encoding()
    null_values: list[str] = Field(default_factory=lambda: [""], description="Values read as NULL.")
    decimal_separator: Literal[".", ","] = Field(
        ".",
        description=(
            "The decimal mark in numbers (int, bigint, decimal and double columns): `,` for "
            "European files (`12,50`). With `,`, a number holding a `.` that is not a "
            "`thousands_separator` is rejected rather than misread."
        ),
    )
    thousands_separator: Literal["", ".", ",", " ", "'"] = Field(
        "",
        description=(
            "The digit-grouping mark in numbers, removed before typing (`1.234.567,89` with "
            "`.`); empty (the default) for none. A number whose groups are not of three digits "
            "(`12.34,5`) is rejected."
        ),
    )
    compression: Compression = _compression()
    members: str | None = _members()

    @model_validator(mode="after")
    def _separators_differ(self) -> CsvFormat:
        if self.thousands_separator == self.decimal_separator:
            raise ValueError("thousands_separator must differ from decimal_separator")
        return self


class JsonFormat(StrictModel):
    """JSON documents: an array, newline-delimited records, or records under a path."""

    type: Literal["json", "ndjson"] = Field(
        description=(
            "`json`: an array of records, one record, or a document holding them at "
            "`records_path`; `ndjson`: one record per line (a line that is not a JSON object is "
            "quarantined with its line number; blank lines are skipped)."
        )
    )
    records_path: str | None = Field(
        None,
        pattern=r"^[^.]+(\.[^.]+)*$",
        description=(
            "Dotted path to the list of records inside a JSON document, e.g. `data` for a "
            'vendor\'s `{"data": [...], "meta": {...}}` or `data.items` (`json` only). The '
            "document is streamed, a record at a time, so its size does not matter; a record's "
            "line in the document is kept for its rejects."
        ),
    )
    flatten_depth: int = Field(
        0,
        ge=0,
        le=8,
        description=(
            "How many levels of nested objects become columns of their own, named by dotted "
            "paths (`customer.address.city` needs 2). Deeper objects, and lists at any depth, are "
            "kept as JSON text in one column. A column's `source_name` may be such a dotted path."
        ),
    )
    encoding: Encoding = _encoding()
    compression: Compression = _compression()
    members: str | None = _members()

    def source_depth(self, source: str) -> int:
        """How many levels of nested objects a field's dotted path goes down."""
        return source.count(".")

    @model_validator(mode="after")
    def _records_path_needs_json(self) -> JsonFormat:
        if self.records_path is not None and self.type != "json":
            raise ValueError("records_path applies to type json only")
        return self


class ExcelFormat(StrictModel):
    """An Excel workbook (.xlsx), read row by row (formulas give the value Excel last saved)."""

    type: Literal["xlsx"] = Field(description="Excel workbook.")
    sheet: str | None = Field(
        None,
        description=(
            "Sheet name; when omitted (and no `sheets`), the first sheet that holds any data."
        ),
    )
    sheets: str | None = Field(
        None,
        min_length=1,
        description=(
            "A glob on sheet names (`Budget *`, `*`): every matching sheet is read, in workbook "
            "order, each converted and accounted as its own part, its rows' `_source_file` being "
            "`<raw key>!<sheet>`. Every matching sheet needs the columns at `header_row`; a "
            "workbook with no matching sheet is quarantined."
        ),
    )
    header_row: int = Field(
        1,
        ge=1,
        description=(
            "1-based row holding the column names; rows above it are skipped. A header cell "
            "left empty by a merge takes the name to its left with `_2`, `_3`, … appended."
        ),
    )

    @model_validator(mode="after")
    def _one_way_to_pick_sheets(self) -> ExcelFormat:
        if self.sheet is not None and self.sheets is not None:
            raise ValueError("give `sheet` (one name) or `sheets` (a pattern), not both")
        return self


class FixedWidthField(StrictModel):
    """One field of a fixed-width record, by its character positions on the line."""

    name: str = Field(
        min_length=1,
        description="The field's name (a column's `name` or `source_name` refers to it).",
    )
    start: int | None = Field(
        None,
        ge=1,
        description=(
            "1-based position of its first character; when omitted, right after the previous "
            "field (or 1 for the first)."
        ),
    )
    width: int | None = Field(None, ge=1, description="Its length in characters.")
    end: int | None = Field(
        None, ge=1, description="1-based position of its last character (instead of `width`)."
    )

    @model_validator(mode="after")
    def _width_or_end(self) -> FixedWidthField:
        if (self.width is None) == (self.end is None):
            raise ValueError(f"field {self.name!r}: give `width` or `end` (one of them)")
        if self.end is not None and self.start is not None and self.end < self.start:
            raise ValueError(f"field {self.name!r}: `end` is before `start`")
        if self.end is not None and self.start is None:
            raise ValueError(f"field {self.name!r}: `end` needs `start`")
        return self


class FixedWidthFormat(_Counted):
    """Fixed-width text, as legacy systems (COBOL, mainframe, ERP exports) write it: each
    record one line, each field at fixed character positions."""

    type: Literal["fixed_width"] = Field(description="Fixed-width text.")
    fields: list[FixedWidthField] = Field(
        min_length=1,
        description=(
            "The record layout, in line order: each field's name and its positions (`start` "
            "with `width` or `end`; consecutive fields may give `width` alone). Gaps between "
            "fields (filler) are ignored; fields may not overlap."
        ),
    )
    trim: Literal["both", "left", "right", "none"] = Field(
        "both",
        description=(
            "Blanks removed from each value: padding to the field's width is usually spaces "
            "to the right of text and to the left of numbers. A value left empty is NULL."
        ),
    )
    line_length: Literal["any", "exact", "at_least"] = Field(
        "any",
        description=(
            "How long a record's line must be: `any` (a short line's missing fields are "
            "empty; characters past the last field are ignored), `at_least` the end of the "
            "last field, or `exact`ly that: other lines are rejected with their length."
        ),
    )
    skip_rows: int = _skip_rows()
    footer_rows: int = _footer_rows()
    row_count: str | None = _row_count()
    null_values: list[str] = Field(
        default_factory=lambda: [""], description="Values (after trimming) read as NULL."
    )
    encoding: Encoding = _encoding()
    compression: Compression = _compression()
    members: str | None = _members()

    @model_validator(mode="after")
    def _fields_fit(self) -> FixedWidthFormat:
        names = [field.name for field in self.fields]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate field names: {', '.join(duplicates)}")
        previous_end, previous = 0, None
        for field, (start, end) in zip(self.fields, self.spans(), strict=True):
            if start <= previous_end:
                raise ValueError(
                    f"field {field.name!r} (characters {start}-{end}) overlaps field "
                    f"{previous!r}, which ends at character {previous_end}"
                )
            previous_end, previous = end, field.name
        return self

    def spans(self) -> list[tuple[int, int]]:
        """Each field's first and last character position (1-based, inclusive)."""
        spans, after = [], 1
        for field in self.fields:
            start = field.start if field.start is not None else after
            end = field.end if field.end is not None else start + (field.width or 1) - 1
            spans.append((start, end))
            after = end + 1
        return spans


class XmlFormat(StrictModel):
    """XML documents holding repeated record elements, read as a stream (memory stays flat
    whatever the size)."""

    type: Literal["xml"] = Field(description="XML document.")
    record_path: str = Field(
        pattern=r"^/?[^/\s]+(/[^/\s]+)*$",
        description=(
            "Slash-separated element names from the root to the record element, e.g. "
            "`Stock/Items/Item`; `*` matches any one element. Names match the element's local "
            "name whatever its namespace, unless written `prefix:Name` with the prefix "
            "declared in `namespaces`. Elements outside the path are ignored."
        ),
    )
    namespaces: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Prefixes used in `record_path`, mapped to namespace URIs, e.g. "
            "`{inv: 'urn:example:inventory'}`. A field's name never carries a prefix."
        ),
    )
    encoding: Encoding = _encoding(
        "auto",
        "`auto` reads the document's own declaration (`<?xml version='1.0' "
        "encoding='ISO-8859-1'?>`; UTF-8 or UTF-16 without one); another value overrides the "
        "declaration. Bytes the encoding cannot decode quarantine the file with their line.",
    )
    flatten_depth: int = Field(
        1,
        ge=1,
        le=8,
        description=(
            "How many levels of elements below the record become fields: 1 reads the "
            "record's child elements (`<qty>4</qty>` is the field `qty`); 2 also their "
            "children, named by dotted paths (`supplier.name`). Deeper elements are kept as "
            "one field of XML text. Attributes are fields named `@name` (`@sku` on the "
            "record, `supplier.@id` on a child); a child repeated in one record gives a JSON "
            "list of its texts."
        ),
    )
    compression: Compression = _compression()
    members: str | None = _members()

    def source_depth(self, source: str) -> int:
        """How many levels of elements below the record a field's dotted path goes down
        (``supplier.name``: 2; ``supplier.@id``, an attribute of a child: 1)."""
        return sum(1 for step in source.split(".") if not step.startswith(("@", "#")))

    @model_validator(mode="after")
    def _prefixes_declared(self) -> XmlFormat:
        for step in self.record_path.strip("/").split("/"):
            prefix = step.split(":", 1)[0] if ":" in step else None
            if prefix is not None and prefix not in self.namespaces:
                raise ValueError(f"record_path: prefix {prefix!r} is not in `namespaces`")
        return self


class ParquetFormat(StrictModel):
    """Parquet files."""

    type: Literal["parquet"] = Field(
        description="Parquet file; columns are matched by name, values re-typed by the schema."
    )


Format = Annotated[
    CsvFormat | JsonFormat | ExcelFormat | ParquetFormat | FixedWidthFormat | XmlFormat,
    Field(discriminator="type"),
]


class Partitioning(StrictModel):
    """How the cleansed table is partitioned."""

    by: Literal["event_date", "ingest_date"] = Field(
        "ingest_date",
        description="`event_date`: from a date/timestamp column; `ingest_date`: when it landed.",
    )
    column: str | None = Field(
        None, description="The date or timestamp column, with `by: event_date`."
    )
    granularity: Literal["day", "month", "year"] = Field(
        "day", description="Partition size: one partition per day, month or year."
    )


class QualityRule(StrictModel):
    """A row-level rule; rows breaking it go to quarantine with the rule as the reason."""

    rule: Literal["not_null", "accepted_values", "range", "regex", "unique"] = Field(
        description="not_null, accepted_values, range, regex, or unique (within a file)."
    )
    column: str = Field(description="The column the rule checks.")
    values: list[str | int | float | bool] | None = Field(
        None, description="Allowed values, with `accepted_values`."
    )
    min: float | None = Field(None, description="Lower bound (inclusive), with `range`.")
    max: float | None = Field(None, description="Upper bound (inclusive), with `range`.")
    pattern: str | None = Field(None, description="Regular expression, with `regex`.")

    @model_validator(mode="after")
    def _arguments_match_rule(self) -> QualityRule:
        needs = {"accepted_values": ("values",), "regex": ("pattern",)}
        for argument in needs.get(self.rule, ()):
            if getattr(self, argument) is None:
                raise ValueError(f"rule {self.rule!r} needs `{argument}`")
        if self.rule == "range" and self.min is None and self.max is None:
            raise ValueError("rule 'range' needs `min`, `max` or both")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"invalid pattern: {exc}") from exc
        return self


class SourceContract(StrictModel):
    """A source's contract: where its data comes from, what it looks like, what is accepted."""

    name: str = Field(
        pattern=SNAKE_CASE, max_length=40, description="Source name; also the table name."
    )
    description: str = Field(min_length=1, description="What the source holds, for newcomers.")
    owner: str = Field(min_length=1, description="Who to ask about it (team or email).")
    kind: Literal["api", "sftp", "s3_drop", "manual"] = Field(
        description="How the data arrives: api, sftp, s3_drop or manual (uploaded by hand)."
    )
    schedule: str | None = Field(
        None,
        pattern=r"^(rate\(.+\)|cron\(.+\))$",
        description="EventBridge Scheduler expression (`rate(1 hour)`, `cron(0 6 * * ? *)`).",
    )
    format: Format = Field(description="File format and parse options.")
    columns: list[Column] = Field(
        alias="schema", min_length=1, description="The columns of the cleansed table."
    )
    primary_key: list[str] = Field(
        default_factory=list, description="Columns that identify a row (unique within a file)."
    )
    partitioning: Partitioning = Field(
        default_factory=Partitioning, description="Partitioning of the cleansed table."
    )
    timezone: str = Field(
        "UTC", description="IANA timezone of naive timestamps in the source, e.g. Europe/Paris."
    )
    quality: list[QualityRule] = Field(default_factory=list, description="Row-level rules.")
    schema_change: Literal["strict", "evolve", "ignore"] = Field(
        "strict",
        description=(
            "On new, missing or retyped columns in a file: `strict` quarantines the file; "
            "`evolve` keeps new columns (as nullable strings, added to the catalog table) and "
            "reads missing ones as empty; `ignore` drops new columns and reads missing ones as "
            "empty. Drift is always listed in the run summary."
        ),
    )
    reject_threshold: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Fraction of rejected rows above which the whole file is quarantined.",
    )
    freshness: Freshness | None = Field(
        None,
        description=(
            "Freshness SLA: `{expected_every: 1d, warn_after: 26h, error_after: 50h}`. "
            "Without it the last delivery is shown but never judged late."
        ),
    )
    s3_drop: S3DropSettings | None = Field(None, description="With kind s3_drop or manual.")
    api: ApiSettings | None = Field(None, description="With kind api.")
    sftp: SftpSettings | None = Field(None, description="With kind sftp.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name)") from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SourceContract:
        names = [column.name for column in self.columns]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate column names: {', '.join(duplicates)}")
        known = set(names)
        for field_name, used in (
            ("primary_key", self.primary_key),
            ("quality", [rule.column for rule in self.quality]),
        ):
            unknown = [name for name in used if name not in known]
            if unknown:
                raise ValueError(f"{field_name} names unknown columns: {', '.join(unknown)}")
        self._check_partitioning(known)
        self._check_kind_settings()
        self._check_source_paths()
        return self

    def _check_source_paths(self) -> None:
        if not isinstance(self.format, JsonFormat | XmlFormat):
            return
        depth = self.format.flatten_depth
        for column in self.columns:
            levels = self.format.source_depth(column.source_field)
            if levels > depth:
                raise ValueError(
                    f"column {column.name!r}: source path {column.source_field!r} is {levels} "
                    f"level(s) deep; set format.flatten_depth to at least {levels}"
                )

    def _check_partitioning(self, known: set[str]) -> None:
        part = self.partitioning
        if self.partition_key in known:
            raise ValueError(f"column {self.partition_key!r} clashes with the partition column")
        if part.by == "event_date":
            if part.column not in known:
                raise ValueError("partitioning.column must name a date or timestamp column")
            if self.column(part.column).type not in ("date", "timestamp", "timestamptz"):
                raise ValueError("partitioning.column must be a date or timestamp column")

    def _check_kind_settings(self) -> None:
        block = {"s3_drop": "s3_drop", "manual": "s3_drop", "api": "api", "sftp": "sftp"}
        wanted = block[self.kind]
        if getattr(self, wanted) is None:
            raise ValueError(f"kind {self.kind!r} needs a `{wanted}:` block")
        if self.api is not None:
            self.api.check_format(self.format.type)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def partition_key(self) -> str:
        """The one partition column: event_date, event_month, ingest_year, ..."""
        prefix = self.partitioning.by.split("_")[0]
        suffix = {"day": "date", "month": "month", "year": "year"}[self.partitioning.granularity]
        return f"{prefix}_{suffix}"
