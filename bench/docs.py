"""Data docs at scale: a generated project of 50 sources and 200 models (with their YAML and
tests), 10 dashboard pages, a catalog of partitioned tables, 30 conversions per source and a
run report with every test's result. Builds its docs and lineage and checks the time against
the target (< 30 s on this machine).

    python bench/docs.py [--sources 50] [--models 200] [--out bench/out/docs]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from strata.catalog.tables import table_for
from strata.lake import state_keys
from strata.lake.keys import raw_key, report_key
from strata.runtime import build_context, cleansed_location
from strata.settings import Settings
from strata.site.docs import build_docs

TARGET_SECONDS = 30.0
COLUMNS = ("amount decimal(12,2)", "quantity int", "status string", "region string")
DAYS = 30


def contract(index: int) -> str:
    fields = "\n".join(
        f"  - name: {name}\n    type: {kind}\n    description: The record's {name}."
        for name, kind in (column.split() for column in COLUMNS)
    )
    return f"""\
name: src_{index:02d}
description: Generated source number {index}, dropped daily as CSV.
owner: team-{index % 5}@example.com
kind: s3_drop
s3_drop:
  prefix: src_{index:02d}/
format:
  type: csv
schema:
  - name: id
    type: bigint
    nullable: false
    description: The record's id.
  - name: happened_at
    type: timestamp
    nullable: false
    description: When it happened.
{fields}
primary_key: [id]
partitioning:
  by: event_date
  column: happened_at
quality:
  - rule: accepted_values
    column: status
    values: [new, done]
  - rule: range
    column: amount
    min: 0
"""


DBT_PROJECT = """\
name: bench
version: "1.0.0"
config-version: 2
profile: bench
model-paths: ["models"]
test-paths: ["tests"]
models:
  bench:
    stage:
      +schema: stage
      +materialized: view
    analytics:
      +schema: analytics
      +materialized: table
sources:
  bench:
    lake:
      +freshness:
        warn_after: {count: 2, period: day}
"""
PROFILES = "bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      threads: 4\n"


def write_project(root: Path, sources: int, models: int, rng: random.Random) -> list[str]:
    """The project's files; returns every test's name (for the run report)."""
    (root / "sources").mkdir(parents=True)
    for index in range(sources):
        (root / "sources" / f"src_{index:02d}.yaml").write_text(contract(index))
    warehouse = root / "warehouse"
    (warehouse / "models" / "stage").mkdir(parents=True)
    (warehouse / "models" / "analytics").mkdir(parents=True)
    (warehouse / "dbt_project.yml").write_text(DBT_PROJECT)
    (warehouse / "profiles.yml").write_text(PROFILES)
    entries, names = [], []
    for index in range(sources):
        name = f"stg_src_{index:02d}"
        sql = (
            "select id, happened_at, cast(happened_at as date) as day, amount, quantity, status, "
            f"region\nfrom {{{{ source('lake', 'src_{index:02d}') }}}}\nwhere status <> 'void'\n"
        )
        (warehouse / "models" / "stage" / f"{name}.sql").write_text(sql)
        entries.append((name, "stage"))
        names.append(name)
    for index in range(models - sources):
        name = f"fct_{index:03d}"
        parents = rng.sample(names, k=min(len(names), rng.randint(1, 3)))
        joins = "\n".join(
            f"left join {{{{ ref('{parent}') }}}} as p{n} on p{n}.day = base.day"
            for n, parent in enumerate(parents[1:], start=1)
        )
        sql = (
            "select base.day, base.region, sum(base.amount) as amount, count(*) as records\n"
            f"from {{{{ ref('{parents[0]}') }}}} as base\n{joins}\ngroup by base.day, base.region\n"
        )
        (warehouse / "models" / "analytics" / f"{name}.sql").write_text(sql)
        entries.append((name, "analytics"))
        names.append(name)
    tests = []
    for layer in ("stage", "analytics"):
        lines = ["version: 2", "", "models:"]
        for name, where in entries:
            if where != layer:
                continue
            key = "id" if layer == "stage" else "day"
            lines += [
                f"  - name: {name}",
                f"    description: Generated {layer} model {name}.",
                "    columns:",
                f"      - name: {key}",
                "        description: The key.",
                "        data_tests: [not_null]",
                "      - name: amount",
                "        data_tests: [not_null]",
            ]
            tests += [f"not_null_{name}_{key}", f"not_null_{name}_amount"]
        (warehouse / "models" / layer / "schema.yml").write_text("\n".join(lines) + "\n")
    analytics = [name for name, where in entries if where == "analytics"]
    (root / "dashboards").mkdir()
    for page in range(10):
        blocks = "\n\n".join(
            f"```sql q{n}\nselect day, sum(amount) as amount\n"
            f"from analytics.{model}\ngroup by day\n```"
            for n, model in enumerate(rng.sample(analytics, k=3))
        )
        (root / "dashboards" / f"page_{page}.md").write_text(f"# Page {page}\n\n{blocks}\n")
    return tests


def fill_lake(settings: Settings, sources: int, tests: list[str]) -> None:
    """The catalog, conversions and a run report, as a month of daily runs leaves them."""
    ctx = build_context(settings)
    ports = ctx.ports
    start = date(2026, 10, 25)
    for index in range(sources):
        name = f"src_{index:02d}"
        ports.catalog.ensure_table(
            table_for(ctx.project.contract(name), cleansed_location(ports, name))
        )
        days = [start + timedelta(days=day) for day in range(DAYS)]
        ports.catalog.add_partitions(name, [{"event_date": day.isoformat()} for day in days])
        for day in days:
            moment = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=6)
            run_id = f"{moment:%Y%m%dT%H%M%SZ}-{index:08x}"
            key = raw_key(name, moment, run_id, f"{name}_{day}.csv")
            item = {
                "raw_key": key,
                "status": "converted",
                "rows_in": 1000,
                "rows_out": 990,
                "rows_quarantined": 10,
            }
            ports.state.put(state_keys.converted(name), key, item)
    run_id = "20261124T060000Z-0000beef"
    report = {
        "run_id": run_id,
        "status": "succeeded",
        "tests": [{"test": t, "status": "pass", "failures": 0, "severity": "error"} for t in tests],
    }
    ports.artifacts.put_bytes(report_key(run_id), json.dumps(report).encode())
    record = {
        "run_id": run_id,
        "status": "succeeded",
        "finished_at": "2026-11-24T06:05:00+00:00",
        "report_key": report_key(run_id),
    }
    ports.state.put(state_keys.RUN, run_id, record)
    ports.warehouse.close()


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("bench/out/docs"))
    args = parser.parse_args(argv)
    shutil.rmtree(args.out, ignore_errors=True)
    project = args.out / "project"
    tests = write_project(project, args.sources, args.models, random.Random(16))
    settings = Settings(project_dir=project, lake_dir=args.out / "lake")
    fill_lake(settings, args.sources, tests)
    ctx = build_context(settings)
    started = time.perf_counter()
    pages = build_docs(ctx, args.out / "site" / "docs")
    seconds = time.perf_counter() - started
    ctx.ports.warehouse.close()
    site = args.out / "site" / "docs"
    graph = json.loads((site / "lineage.json").read_text())
    lineage_bytes = (site / "lineage.html").stat().st_size
    total = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    print(
        f"docs for {args.sources} sources, {args.models} models, 10 dashboards: "
        f"{len(pages)} pages in {seconds:.1f} s (target < {TARGET_SECONDS:.0f} s)\n"
        f"lineage: {len(graph['nodes'])} nodes, {len(graph['edges'])} edges, "
        f"lineage.html {lineage_bytes / 1024:.0f} KB; whole docs {total / 1024 / 1024:.1f} MB"
    )
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
