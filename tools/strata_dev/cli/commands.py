"""One function per ``strata`` subcommand; each returns an exit code."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from strata.errors import ConfigError
from strata.settings import LANDING_BUCKET, Settings
from strata_dev.cli.context import context_for
from strata_dev.cli.outcome import conclude
from strata_dev.console import Console


def run(args: argparse.Namespace, console: Console) -> int:
    from strata_dev.local.run import PipelineOptions, run_pipeline

    ctx = context_for(args)
    limit = args.inline_map_limit
    options = PipelineOptions(
        sources=args.sources,
        substitutions={"InlineMapLimit": str(limit)} if limit is not None else None,
        allow_deferred=args.allow_deferred,
        wait=args.wait,
        models={
            "select": args.select,
            "exclude": args.exclude,
            "target": args.target,
            "full_refresh": args.full_refresh,
        },
    )
    outcome = run_pipeline(ctx, args.project_dir.resolve(), console, options)
    return conclude(ctx, outcome, console)


def validate(args: argparse.Namespace, console: Console) -> int:
    from strata_dev.cli.generated import from_contracts
    from strata_dev.local.run import validate_project

    ctx = context_for(args)
    project_dir = args.project_dir.resolve()
    generated = from_contracts(ctx, project_dir)
    if args.fix:  # first: the models may read a source that only the new files declare
        for artifact in (artifact for artifact in generated if artifact.stale()):
            artifact.write()
            console.success(f"updated {artifact.path.relative_to(project_dir)}")
    models = validate_project(ctx)
    console.success(f"{len(ctx.project.contracts)} source contract(s) valid")
    console.success(f"{models} warehouse model(s) compile and read as Redshift SQL")
    for definition in _check_definitions(project_dir):
        console.success(f"{definition} matches template.yaml's DefinitionSubstitutions")
    from strata.site.validate import dashboard_problems

    dashboards = dashboard_problems(ctx)
    for problem in dashboards:
        console.error(str(problem))
    if not dashboards:
        console.success("dashboards/ pages read only known tables and columns")
    stale = [artifact for artifact in generated if artifact.stale()]
    for artifact in stale:
        console.error(
            f"{artifact.path.relative_to(project_dir)} is out of date with sources/: "
            f"run `strata validate --fix` (or `{artifact.command}`)"
        )
    return 1 if stale or dashboards else 0


def _check_definitions(project_dir: Path) -> list[str]:
    """Every state machine definition parses and its placeholders match the template."""
    import json

    from strata_dev.deploy.template import (
        load_template,
        placeholder_problems,
        substitutions_by_definition,
    )

    template = load_template(project_dir / "template.yaml")
    checked = []
    for path, machines in substitutions_by_definition(template, project_dir).items():
        name = str(path.relative_to(project_dir))
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not valid JSON: {exc}", file=f"{name}:{exc.lineno}") from exc
        for logical_id, substitutions in machines:
            problems = placeholder_problems(text, substitutions)
            if problems:
                raise ConfigError("; ".join(problems), file=name, field=logical_id)
        checked.append(name)
    return checked


def query(args: argparse.Namespace, console: Console) -> int:
    ctx = context_for(args)
    warehouse = ctx.ports.warehouse
    # --duckdb: DuckDB's own SQL, for local-only exploration (read_parquet, DESCRIBE, ...)
    run_sql = warehouse.execute_native if args.duckdb else warehouse.run  # type: ignore[attr-defined]
    result = run_sql(args.sql)
    if result.columns:
        write_result(console, result.columns, result.rows, args.format)
    return 0


def write_result(console: Console, columns: Any, rows: Any, form: str) -> None:
    """A query's rows as an aligned table (people), CSV or JSON lines (programs)."""
    if form == "table":
        console.table(columns, rows)
        return
    if form == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        console.stream.write(buffer.getvalue())
        return
    import json

    for row in rows:
        console.line(json.dumps(dict(zip(columns, row, strict=True)), default=str))


def upload(args: argparse.Namespace, console: Console) -> int:
    """Put files in a source's landing prefix: the local landing folder, or with
    ``STRATA_RUNTIME=aws`` the stack's landing bucket (its "Object Created" events land them)."""
    from strata.ingest.uploads import upload_files

    project_dir: Path = args.project_dir.resolve()
    env = dict(os.environ)
    env.setdefault("STRATA_PROJECT_DIR", str(project_dir))
    env.setdefault("STRATA_LAKE_DIR", str(project_dir / "lake"))
    settings = Settings.from_env(env)
    if settings.runtime == "aws":
        from strata.project import load_project
        from strata.storage.local import LocalObjectStore
        from strata.storage.s3 import S3ObjectStore

        bucket = args.bucket or env.get(LANDING_BUCKET)
        if not bucket:
            raise ConfigError(
                "name the landing bucket: --bucket or $STRATA_LANDING_BUCKET (the stack's "
                "LandingBucketName output)",
                field="STRATA_LANDING_BUCKET",
            )
        project = load_project(LocalObjectStore(project_dir, "project"))
        landing: Any = S3ObjectStore(bucket)
    else:
        ctx = context_for(args)
        project, landing = ctx.project, ctx.ports.landing
    for path, key in zip(
        args.files, upload_files(project, landing, args.source, args.files), strict=True
    ):
        console.detail(
            f"{path} → {landing.uri(key) if settings.runtime == 'aws' else 'landing/' + key}"
        )
    return 0


def docs(args: argparse.Namespace, console: Console) -> int:
    from strata_dev.docs import contracts as reference

    argv = ["--root", str(args.project_dir)] + (["--check"] if args.check else [])
    return int(reference.main(argv))


def template(args: argparse.Namespace, console: Console) -> int:
    """The per-source section of template.yaml, from the contracts (``--check``: is it current?)."""
    from strata_dev.deploy import sources_template

    project_dir: Path = args.project_dir.resolve()
    if args.check:
        if sources_template.is_current(project_dir):
            console.success("template.yaml's per-source section is current")
            return 0
        console.error("template.yaml's per-source section is stale: run `strata template`")
        return 1
    changed = sources_template.write(project_dir)
    console.success(("updated" if changed else "already current:") + " template.yaml")
    return 0


def publish(args: argparse.Namespace, console: Console) -> int:
    """Copy the contracts, models and dashboards to the artifacts bucket, where the functions
    read them."""
    from strata.project import SOURCES, WAREHOUSE
    from strata.site.build import DASHBOARDS
    from strata.storage.local import LocalObjectStore
    from strata.storage.s3 import S3ObjectStore

    project_dir: Path = args.project_dir.resolve()
    load_project_checked(project_dir)
    local = LocalObjectStore(project_dir, "project")
    target = S3ObjectStore(args.bucket)
    prefix = args.prefix.strip("/") + "/"
    # The dashboards too: the site function renders them from the published project.
    parts = (SOURCES, WAREHOUSE, DASHBOARDS)
    published = {info.key for part in parts for info in local.list(part)}
    for key in sorted(published):
        target.copy_from(local, key, prefix + key, {})
    stale = [info.key for info in target.list(prefix) if info.key[len(prefix) :] not in published]
    for key in stale:
        target.delete(key)
    console.success(
        f"published {len(published)} file(s) to {target.uri(prefix)}"
        + (f", removed {len(stale)} stale" if stale else "")
    )
    return 0


def load_project_checked(project_dir: Path) -> None:
    """Refuse to publish a project that would fail in AWS."""
    from strata.models import build_manifest
    from strata.project import load_project
    from strata.storage.local import LocalObjectStore

    project = load_project(LocalObjectStore(project_dir, "project"))
    build_manifest(project, Settings(project_dir=project_dir), "publish")
