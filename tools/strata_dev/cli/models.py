"""``strata models build|test|compile|ls|diff|promote|sources``: the warehouse models from the
terminal.

``build`` and ``test`` run through the same planner and scheduler as the pipeline's
BuildModels step, against the local warehouse; their manifest.json and run_results.json land
in ``lake/artifacts/runs/<run id>/warehouse/``, and a build updates its environment's record
(``lake/artifacts/environments/<environment>/models.json``). ``diff`` compares two
environments' models; ``promote`` builds in prod what changed once test passed (see
docs/warehouse.md, "Changing a model safely"). Exit codes: 0 success, 1 a model, an
error-severity test or a freshness check failed, 2 usage.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from strata.errors import ConfigError, ModelError
from strata_dev.console import Console

_SYMBOLS = {
    "success": "OK",
    "pass": "PASS",
    "warn": "WARN",
    "fail": "FAIL",
    "error": "ERROR",
    "skipped": "SKIP",
}


def register(sub: Any) -> None:
    """Add ``models`` and its subcommands to the ``strata`` parser."""
    from strata_dev.cli.help import command

    models = command(
        sub,
        "models",
        "compile, run and test the warehouse models",
        'strata models build --select "stg_orders+"',
    )
    commands = models.add_subparsers(required=True, metavar="SUBCOMMAND")
    for name, help_text, handler in (
        ("build", "build the selected models and run their tests", build),
        ("test", "run the selected models' tests and source freshness", test),
        ("compile", "print the compiled SQL of the selected models", compile_models),
        ("ls", "list the selected models and tests", ls),
    ):
        example = f'strata models {name} --select "stg_orders+"'
        parser = command(commands, name, help_text, example)
        parser.add_argument("--select", "-s", action="append", help='e.g. "stg_orders+ tag:daily"')
        parser.add_argument("--exclude", action="append", help="selectors to leave out")
        parser.add_argument("--target", "-t", help="dev, test or prod (default: STRATA_ENV)")
        parser.add_argument("--vars", type=_variables, default={}, help="YAML/JSON mapping")
        parser.add_argument(
            "--state", help="the environment state:modified and --defer compare with, e.g. prod"
        )
        parser.add_argument(
            "--defer", action="store_true", help="read models not selected from --state's schemas"
        )
        if name == "build":
            parser.add_argument(
                "--full-refresh", action="store_true", help="rebuild incremental models whole"
            )
        parser.set_defaults(command=handler)
    diff = command(
        commands,
        "diff",
        "compare an environment's models with another's, row by row",
        "strata models diff --target test --against prod --format markdown",
    )
    diff.add_argument(
        "--select", "-s", action="append", help="models to compare (default: changed)"
    )
    diff.add_argument("--target", "-t", default="test", help="the changed environment (test)")
    diff.add_argument("--against", default="prod", help="the environment to compare with (prod)")
    diff.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    diff.add_argument("--sample", type=int, default=5, help="differing rows shown per model")
    diff.set_defaults(command=diff_models)
    promote = command(
        commands,
        "promote",
        "build in prod what changed, once the test build passed",
        "strata models promote --from test",
    )
    promote.add_argument("--from", dest="source", default="test", help="the tested environment")
    promote.add_argument("--target", "-t", default="prod", help="the environment to build")
    promote.set_defaults(command=promote_models)
    sources = command(
        commands,
        "sources",
        "regenerate warehouse/models/_sources.yml from the contracts",
        "strata models sources --check",
    )
    sources.add_argument("--check", action="store_true", help="fail when it is out of date")
    sources.set_defaults(command=sources_file)


def _variables(text: str) -> dict[str, Any]:
    import yaml

    value = yaml.safe_load(text)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("--vars takes a mapping, e.g. '{days: 3}'")
    return value


def _options(args: argparse.Namespace, command: str) -> Any:
    from strata.models import RunOptions

    return RunOptions(
        command=command,
        select=args.select,
        exclude=args.exclude,
        full_refresh=getattr(args, "full_refresh", False),
        variables=args.vars,
        target=args.target,
        state=args.state,
        defer=args.defer,
    )


def build(args: argparse.Namespace, console: Console) -> int:
    return _run(args, console, "build")


def test(args: argparse.Namespace, console: Console) -> int:
    return _run(args, console, "test")


def _run(args: argparse.Namespace, console: Console, command: str) -> int:
    from strata_dev.cli.context import context_for

    ctx = context_for(args)
    return _execute(ctx, console, _options(args, command))


def _execute(ctx: Any, console: Console, options: Any) -> int:
    from strata.lake.keys import new_run_id, warehouse_prefix
    from strata.models.executor import execute

    command = options.command
    run_id = new_run_id()
    target = options.target or ctx.settings.environment
    deferred = f", deferring to {options.state}" if options.defer else ""
    console.step(f"models {command} {run_id} (target {target}{deferred})")
    summary = execute(ctx, run_id, options)
    if not summary["nodes"]:
        console.success(f"models {command}: nothing selected")
        return 0
    for node in summary["nodes"]:
        _show(console, node)
    counts: dict[str, int] = {}
    for node in summary["nodes"]:
        counts[node["status"]] = counts.get(node["status"], 0) + 1
    console.line()
    console.line("  ".join(f"{status}: {count}" for status, count in sorted(counts.items())))
    console.detail(f"artifacts: {ctx.ports.artifacts.uri(warehouse_prefix(run_id))}")
    if summary["status"] == "success":
        console.success(f"models {command} succeeded")
        return 0
    console.error(f"models {command} failed: see the lines marked FAIL or ERROR above")
    return 1


def _show(console: Console, node: dict[str, Any]) -> None:
    if node["kind"] == "operation":
        if node["status"] != "success":
            console.warn(f"ERROR setup {node['name']}: {node['message']}")
        return
    label = f"{_SYMBOLS.get(node['status'], node['status'].upper()):5} {node['kind']:9} "
    text = f"{label}{node['name']}: {node['message']}"
    if node["status"] in ("success", "pass"):
        console.detail(text)
        return
    console.warn(text)
    for row in node.get("sample") or []:
        console.detail("      " + json.dumps(row, default=str))


def compile_models(args: argparse.Namespace, console: Console) -> int:
    compiled, selection = _compiled(args)
    for name in selection.models:
        model = compiled.model(name)
        console.line(f"-- {model.relation} ({model.materialized}) from {model.path}")
        console.line(model.compiled_sql)
        if model.incremental_sql is not None:
            console.line(f"-- {model.relation}: incremental runs (is_incremental() true)")
            console.line(model.incremental_sql)
        console.line()
    return 0


def ls(args: argparse.Namespace, console: Console) -> int:
    compiled, selection = _compiled(args)
    rows: list[tuple[str, ...]] = []
    for name in selection.models:
        model = compiled.model(name)
        tags = ",".join(model.config.tags)
        rows.append(("model", name, model.materialized, model.relation, tags))
    tests = {test.name: test for test in compiled.tests}
    for name in selection.tests:
        test = tests[name]
        rows.append(
            ("test", name, test.severity, test.model or test.path, ",".join(test.config.tags))
        )
    console.table(("kind", "name", "materialized/severity", "relation", "tags"), rows)
    return 0


def _compiled(args: argparse.Namespace) -> tuple[Any, Any]:
    from strata.models import state
    from strata.models.plan import compile_and_select
    from strata.runtime import warehouse_profile
    from strata_dev.cli.context import context_for

    ctx = context_for(args)
    options = _options(args, "build")
    compared = state.require(ctx.ports.artifacts, args.state, "--state") if args.state else None
    profile = warehouse_profile(ctx.settings)
    compiled, chosen, _, _ = compile_and_select(
        ctx.project, ctx.settings, options, profile, compared
    )
    return compiled, chosen


def diff_models(args: argparse.Namespace, console: Console) -> int:
    from strata.models import diff, state
    from strata_dev.cli.context import context_for

    ctx = context_for(args)
    store = ctx.ports.artifacts
    mine = state.require(store, _environment(ctx, args.target), f"diff --target {args.target}")
    theirs = state.require(store, _environment(ctx, args.against), f"diff --against {args.against}")
    selected = None
    if args.select:
        selected = _selected_models(ctx, args)
    names, skipped = diff.changed_models(mine, theirs, selected)
    keys = {name: mine.models[name].get("key") or [] for name in names}
    places = diff.key_places(ctx.project.warehouse_files, keys)
    models = diff.diff_environments(ctx.ports.warehouse, mine, theirs, names, places, args.sample)
    report = diff.DiffReport(args.target, args.against, models, skipped)
    if args.format == "json":
        console.line(json.dumps(report.document(), indent=2, default=str))
    elif args.format == "markdown":
        console.line(diff.markdown(report))
    else:
        _diff_table(console, report)
    return 0


def _environment(ctx: Any, target: str) -> str:
    """The environment a target's builds are recorded under (prod for the plain schemas)."""
    from strata.models.targets import resolve_target
    from strata.runtime import warehouse_kind

    isolates = warehouse_kind(ctx.settings).capabilities.isolates_schemas
    files = ctx.project.warehouse_files
    home = ctx.settings.environment
    return resolve_target(files, target, isolate_schemas=isolates, home=home).environment


def _selected_models(ctx: Any, args: argparse.Namespace) -> list[str]:
    from strata.models import compile_for
    from strata.models.selection import select

    compiled = compile_for(ctx.project, ctx.settings, args.target)
    return select(compiled, args.select).models


def _diff_table(console: Console, report: Any) -> None:
    console.step(f"models diff: {report.environment} against {report.against}")
    if not report.models:
        console.success(f"no model differs from {report.against}")
    rows = [
        (
            model.model,
            "new" if model.rows_before is None else str(model.rows_before),
            str(model.rows_after),
            str(model.added),
            str(model.removed),
            str(model.changed),
            ", ".join(model.key) or "(whole row)",
            ", ".join(
                [f"{c.change} {c.column}" for c in model.columns]
                + [f"{c} changed in {n}" for c, n in model.changed_columns.items()]
            )
            or "-",
        )
        for model in report.models
    ]
    if rows:
        headers = ("model", "rows before", "rows after", "added", "removed", "changed", "key")
        console.table((*headers, "columns"), rows)
    for model in report.models:
        for row in model.sample:
            console.detail(f"  {model.model}: " + json.dumps(row, default=str))
    for name, why in report.skipped.items():
        console.warn(f"{name}: not compared ({why})")


def promote_models(args: argparse.Namespace, console: Console) -> int:
    from strata.models.promote import plan_promotion
    from strata_dev.cli.context import context_for

    ctx = context_for(args)
    promotion = plan_promotion(
        ctx.project, ctx.settings, ctx.ports.artifacts, args.source, args.target
    )
    if not promotion.models:
        console.success(f"{args.target} is up to date: nothing changed since its last build")
        return 0
    console.step(
        f"promoting {len(promotion.models)} model(s) to {args.target}, "
        f"tested by {args.source} build {promotion.tested_by}: {', '.join(promotion.models)}"
    )
    return _execute(ctx, console, promotion.options)


def sources_file(args: argparse.Namespace, console: Console) -> int:
    from strata_dev.cli.context import context_for
    from strata_dev.cli.generated import sources_yml

    ctx = context_for(args)
    generated = sources_yml(ctx, args.project_dir.resolve())
    name = f"warehouse/{generated.path.name}"
    if args.check:
        if generated.stale():
            raise ModelError(f"{name} is out of date with sources/: run `strata models sources`")
        console.success(f"{name} is current")
        return 0
    if not generated.path.parent.is_dir():
        raise ConfigError("no warehouse/models folder", file=str(generated.path.parent))
    generated.write()
    console.success(f"wrote {name} ({len(ctx.project.contracts)} source(s))")
    return 0
