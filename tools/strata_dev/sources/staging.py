"""The staging model skeleton of a new source: ``stg_<name>.sql`` keeping the latest version
of each key, and ``stg_<name>.yml`` with ``not_null`` and ``unique`` tests on the key."""

from __future__ import annotations

from pathlib import Path

import yaml

from strata_dev.sources.guess import Inference

STAGE = Path("warehouse/models/stage")
# Redshift reserves these, among others sqlglot already refuses as a bare column name.
_RESERVED_WORDS = (
    "all analyse analyze and any as asc between both case cast check column constraint create "
    "default desc distinct do else end except false for foreign from grant group having in "
    "intersect into is join leading like limit localtime new not null off offset old on only "
    "open or order primary references select similar some table then to trailing true union "
    "unique user using verbose when where with"
)
RESERVED = frozenset(_RESERVED_WORDS.split())


def sql_name(name: str) -> str:
    """A column name as the model's SQL writes it: quoted when Redshift would read a keyword."""
    import sqlglot
    from sqlglot import exp

    bare = name not in RESERVED
    if bare:
        try:
            parsed = sqlglot.parse_one(f"select {name}, x from t", read="redshift")
            bare = [type(e) for e in parsed.expressions] == [exp.Column, exp.Column] and [
                e.name for e in parsed.expressions
            ] == [name, "x"]
        except sqlglot.errors.ParseError:
            bare = False
    return name if bare else f'"{name}"'


def model_paths(name: str) -> tuple[Path, Path]:
    return STAGE / f"stg_{name}.sql", STAGE / f"stg_{name}.yml"


def model_sql(inference: Inference) -> str:
    columns = [sql_name(column.name) for column in inference.columns]
    selected = ",\n".join(f"    {name}" for name in columns)
    source = f"{{{{ source('lake', '{inference.name}') }}}}"
    head = (
        f"-- {inference.name}, staged: written by `strata sources new`; rename, cast and "
        "filter here.\n"
    )
    if not inference.primary_key:
        return f"{head}select\n{selected},\n    _ingested_at\nfrom {source}\n"
    key = ", ".join(sql_name(name) for name in inference.primary_key)
    inner = ",\n".join(f"        {name}" for name in columns)
    return (
        f"{head}-- One row per {key}: the latest version received.\n"
        "with versions as (\n"
        "    select\n"
        f"{inner},\n"
        "        _ingested_at,\n"
        "        row_number() over (\n"
        f"            partition by {key}\n"
        "            order by _ingested_at desc, _source_file desc, _row_number desc\n"
        "        ) as version_rank\n"
        f"    from {source}\n"
        ")\n\n"
        f"select\n{selected},\n    _ingested_at\nfrom versions\nwhere version_rank = 1\n"
    )


def model_yaml(inference: Inference, description: str) -> str:
    key = inference.primary_key
    columns = []
    for name in key:
        tests = ["not_null", "unique"] if len(key) == 1 else ["not_null"]
        columns.append({"name": name, "data_tests": tests})
    model = {"name": f"stg_{inference.name}", "description": description, "columns": columns}
    body = yaml.safe_dump({"version": 2, "models": [model]}, sort_keys=False, width=100)
    return body
