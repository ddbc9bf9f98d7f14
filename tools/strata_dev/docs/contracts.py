"""The reference of every contract field, generated from the model: ``docs/sources.md``.

``python -m strata_dev.docs.contracts`` writes it; ``--check`` exits 1 when the file differs from
what the model says (a test and ``make test`` run the check, so the docs cannot go stale).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from strata.contracts.model import SourceContract

PROJECT_ROOT = Path(__file__).resolve().parents[3]
REFERENCE = Path("docs") / "sources.md"
EXAMPLE_SOURCE = Path("sources") / "orders.yaml"

SCALAR_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean"}

HEADER = """\
<!-- Generated from layers/strata/strata/contracts/model.py by
     `python -m strata_dev.docs.contracts` (or `strata docs`). Do not edit by hand:
     change the model's field descriptions and regenerate. -->

# Source contracts

Every source has one contract: a YAML file `sources/<name>.yaml` saying where the data comes
from, what it looks like and what is accepted. The pipeline reads nothing else to land, type,
check and partition a source, so adding a source means adding one file.

A contract is validated whole before anything runs (`strata validate`, every deploy and every
run). An invalid contract stops with one line naming the file, the line, the field and what is
allowed there.

What the contract drives:

- **Raw**: files land byte for byte under `raw/<name>/ingest_date=…/run_id=…/`, whatever the
  contract says; a contract change never needs a re-ingestion.
- **Cleansed**: each file is parsed with `format`, typed with `schema` (column names as in
  `schema`, timestamps in UTC), checked with `quality`, and written as Parquet under
  `cleansed/<name>/<partition column>=<value>/`. Rows that cannot be typed or break a rule go to
  `quarantine/` with the reason.
- **Warehouse**: the cleansed table is exposed to SQL models as `source('lake', '<name>')`.

See [architecture.md](architecture.md) for the storage layouts."""

EXAMPLE_INTRO = """\
## Example

{origin}
Copy it to `sources/<name>.yaml` and adapt it; every field is described in the
[reference](#reference) below."""

EXAMPLE_ERROR = """\
Were the first column's type misspelt (`type: integer`), loading would stop with:

```text
{error}
```"""

INLINE_EXAMPLE = """\
# sources/orders.yaml: one file per source; the file name is the source name.
name: orders                      # snake_case; also the cleansed table's name
description: >-
  Orders placed on the web shop, exported every hour by the shop's back office
  into the landing bucket.
owner: data-team@example.com      # who to ask about this data
kind: s3_drop                     # how files arrive: api | sftp | s3_drop | manual
s3_drop:                          # the settings block named by `kind`
  prefix: orders/                 # landing prefix this source owns
  include: "*.csv"                # other files under the prefix are ignored
format:
  type: csv                       # csv | json | ndjson | xlsx | parquet
  delimiter: ";"
  encoding: utf-8
  null_values: ["", "NULL"]       # read as NULL
schema:                           # the cleansed table's columns
  - name: order_id
    type: bigint
    nullable: false               # an empty order_id rejects the row
    description: Order number, unique per order.
  - name: ordered_at
    type: timestamp               # naive: read in `timezone`, stored in UTC
    source_name: Order Date       # the header in the file, when it differs
    format: "%d/%m/%Y %H:%M"
    nullable: false
    description: When the customer placed the order.
  - name: customer_email
    type: string
  - name: amount
    type: decimal(12,2)
    description: Order total, tax included, in `currency`.
  - name: currency
    type: string
  - name: status
    type: string
primary_key: [order_id]           # unique within a file; duplicates are quarantined
partitioning:
  by: event_date                  # partition by a column's date ...
  column: ordered_at
  granularity: month              # ... one partition per month: event_month=2026-11
timezone: Europe/Paris            # of the naive timestamps in the file
quality:                          # rows breaking a rule go to quarantine
  - rule: accepted_values
    column: status
    values: [new, paid, shipped, cancelled]
  - rule: range
    column: amount
    min: 0
  - rule: regex
    column: currency
    pattern: "^[A-Z]{3}$"
schema_change: strict             # a new, missing or retyped column quarantines the file
reject_threshold: 0.05            # above 5 % rejected rows the whole file is quarantined
"""

RULES = """\
## Checks across fields

Besides each field's own type and allowed values, a contract must satisfy:

- `name` equals the file name without `.yaml` (`sources/orders.yaml` holds `name: orders`).
- Column names in `schema` are unique.
- `primary_key` and every quality rule's `column` name columns of `schema`.
- `partitioning.by: event_date` needs `partitioning.column`, a `date`, `timestamp` or
  `timestamptz` column.
- The partition column is named after `by` and `granularity`: `event_date`, `event_month`,
  `event_year`, `ingest_date`, `ingest_month` or `ingest_year`, with values like `2026-11-24`,
  `2026-11` and `2026` (a row without its event date is rejected: "missing value, needed
  for the partition"). No column of `schema` may have that name.
- `kind` needs its settings block: `s3_drop:` for `s3_drop` and `manual`, `api:` for `api`,
  `sftp:` for `sftp`. How each kind is fetched: [ingestion.md](ingestion.md).
- `api.url` (and an OAuth `token_url`) is `https://` (plain `http://` only on loopback) and
  carries no credentials; `api.headers` never carry `Authorization` or `Cookie`: credentials
  come from the secret named in `auth`. An `api_key` goes in exactly one of `header` or
  `query_param`.
- With a `format` other than `json` or `ndjson`, an api source cannot page by the body
  (`page_number`, `offset`, `cursor`, `next_url`) nor use `records_path` or `incremental`.
- `sftp` needs `host_keys`, unless `allow_unknown_host_key: true` (development only: refused
  when `STRATA_ENV` is prod); `archive_path` goes with `after_success: archive`, and only then.
- Quality rules carry their arguments: `values` with `accepted_values`, `pattern` (a valid
  regular expression) with `regex`, `min` and/or `max` with `range`.
- `timezone` is an IANA name (`UTC`, `Europe/Paris`, `America/New_York`).
- A key appears once per mapping (YAML would silently keep the last one)."""


def render_reference(project_root: Path | None = None) -> str:
    """The Markdown reference of every contract field, deterministic for a given model."""
    root = project_root or PROJECT_ROOT
    example = example_contract(root)
    from_project = (root / EXAMPLE_SOURCE).is_file()
    origin = (
        f"The project's own `{EXAMPLE_SOURCE.as_posix()}`, a complete contract."
        if from_project
        else "A complete contract, annotated."
    )
    parts = [
        HEADER,
        EXAMPLE_INTRO.format(origin=origin),
        f"```yaml\n{example.rstrip()}\n```",
        *_example_error(example),
        "## Reference",
        "Fields are listed in the order of the model. *Required* fields have no default;\n"
        "optional fields without a default are simply left out.",
        *(_section(model, parents) for model, parents in _models().items()),
        RULES,
    ]
    return "\n\n".join(parts) + "\n"


def example_contract(project_root: Path | None = None) -> str:
    """The example shown in the docs: `sources/orders.yaml` when the project has it."""
    path = (project_root or PROJECT_ROOT) / EXAMPLE_SOURCE
    return path.read_text(encoding="utf-8") if path.is_file() else INLINE_EXAMPLE


def _example_error(example: str) -> list[str]:
    """The loader's real message for a misspelt column type in the example."""
    from strata.contracts.loader import parse_contract
    from strata.errors import ContractError

    broken, count = re.subn(
        r"^(\s+- name: \w+\n(?:\s+\w+: .*\n)*?\s+type: )\S+$",
        r"\1integer",
        example,
        count=1,
        flags=re.MULTILINE,
    )
    if not count:
        return []
    try:
        parse_contract(broken, EXAMPLE_SOURCE.as_posix())
    except ContractError as exc:
        return [EXAMPLE_ERROR.format(error=exc)]
    return []


def reference_path(project_root: Path | None = None) -> Path:
    return (project_root or PROJECT_ROOT) / REFERENCE


def reference_is_current(project_root: Path | None = None) -> bool:
    path = reference_path(project_root)
    return path.is_file() and path.read_text(encoding="utf-8") == render_reference(project_root)


def write_reference(project_root: Path | None = None) -> Path:
    path = reference_path(project_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_reference(project_root), encoding="utf-8")
    return path


# --- walking the model -------------------------------------------------------------------


def _models() -> dict[type[BaseModel], list[str]]:
    """Every model reachable from SourceContract, breadth first in field order, with the
    dotted fields that hold it."""
    found: dict[type[BaseModel], list[str]] = {SourceContract: []}
    queue: list[tuple[type[BaseModel], str]] = [(SourceContract, "")]
    while queue:
        model, prefix = queue.pop(0)
        for name, info in model.model_fields.items():
            path = f"{prefix}{info.alias or name}"
            for nested in _nested_models(info.annotation):
                if nested not in found:
                    found[nested] = []
                    queue.append((nested, f"{path}."))
                found[nested].append(path)
    return found


def _nested_models(annotation: Any) -> Iterator[type[BaseModel]]:
    if _is_model(annotation):
        yield annotation
        return
    for argument in get_args(annotation):
        yield from _nested_models(argument)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


# --- rendering -----------------------------------------------------------------------------


def _section(model: type[BaseModel], parents: list[str]) -> str:
    title = "SourceContract (the top level)" if model is SourceContract else model.__name__
    lines = [f"### {title}", "", _docstring(model)]
    if parents:
        lines += ["", "Used by: " + ", ".join(f"`{parent}`" for parent in parents) + "."]
    lines += [
        "",
        "| Field | Type | Required / default | Description |",
        "| --- | --- | --- | --- |",
    ]
    for name, info in model.model_fields.items():
        cells = (
            f"`{info.alias or name}`",
            type_name(info.annotation) + _discriminator(info),
            _requirement(info),
            _description(info),
        )
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines)


def _docstring(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def type_name(annotation: Any) -> str:
    """A readable type: `a` | `b` for a Literal, list of …, links to nested models."""
    if annotation in SCALAR_NAMES:
        return SCALAR_NAMES[annotation]
    if _is_model(annotation):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    origin = get_origin(annotation)
    if origin is Literal:
        return " | ".join(f"`{value}`" for value in get_args(annotation))
    if origin is list:
        return f"list of {type_name(get_args(annotation)[0])}"
    if origin is dict:
        key, value = get_args(annotation)
        return f"mapping of {type_name(key)} to {type_name(value)}"
    if origin in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        return " | ".join(type_name(member) for member in members)
    return getattr(annotation, "__name__", str(annotation))


def _discriminator(info: FieldInfo) -> str:
    return f", chosen by its `{info.discriminator}`" if isinstance(info.discriminator, str) else ""


def _requirement(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    value = info.get_default(call_default_factory=True)
    if value is None or value is PydanticUndefined:
        return "optional"
    if isinstance(value, BaseModel):
        return "optional; defaults as listed in " + type_name(type(value))
    return f"default `{json.dumps(value, ensure_ascii=False)}`"


def _description(info: FieldInfo) -> str:
    text = info.description or ""
    constraints = list(_constraints(info))
    if constraints:
        joined = "; ".join(constraints)
        text += " " + joined[0].upper() + joined[1:] + "."  # str.capitalize lowercases patterns
    return text


def _constraints(info: FieldInfo) -> Iterator[str]:
    unit = "item" if get_origin(info.annotation) is list else "character"
    for item in info.metadata:
        if isinstance(item, MinLen):
            yield f"at least {item.min_length} {unit}{'s' if item.min_length > 1 else ''}"
        elif isinstance(item, MaxLen):
            yield f"at most {item.max_length} {unit}{'s' if item.max_length > 1 else ''}"
        elif isinstance(item, Ge):
            yield f"at least {item.ge}"
        elif isinstance(item, Gt):
            yield f"more than {item.gt}"
        elif isinstance(item, Le):
            yield f"at most {item.le}"
        elif isinstance(item, Lt):
            yield f"less than {item.lt}"
        elif getattr(item, "pattern", None):
            yield f"must match `{item.pattern}`"


def _cell(text: str) -> str:
    """Markdown table cells cannot hold a bare `|` (not even inside code)."""
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m strata_dev.docs.contracts",
        description="Write docs/sources.md from the contract model.",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if docs/sources.md is out of date"
    )
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="project folder")
    args = parser.parse_args(argv)
    if args.check:
        if reference_is_current(args.root):
            return 0
        print(
            f"{reference_path(args.root)} is out of date with the contract model: "
            "run `python -m strata_dev.docs.contracts` (or `strata docs`) and commit the result",
            file=sys.stderr,
        )
        return 1
    print(f"wrote {write_reference(args.root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
