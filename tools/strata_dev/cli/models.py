"""``strata models build|test|compile|ls|sources``: the warehouse models from the terminal.

``build`` and ``test`` run through the same planner and scheduler as the pipeline's
BuildModels step, against the local warehouse; their manifest.json and run_results.json land
in ``lake/artifacts/runs/<run id>/warehouse/``. Exit codes: 0 success, 1 a model, an
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
        parser.add_argument("--target", "-t", help="dev or prod (default: STRATA_ENV)")
        parser.add_argument("--vars", type=_variables, default={}, help="YAML/JSON mapping")
        if name == "build":
            parser.add_argument(
                "--full-refresh", action="store_true", help="rebuild incremental models whole"
            )
        parser.set_defaults(command=handler)
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
    )


def build(args: argparse.Namespace, console: Console) -> int:
    return _run(args, console, "build")


def test(args: argparse.Namespace, console: Console) -> int:
    return _run(args, console, "test")


def _run(args: argparse.Namespace, console: Console, command: str) -> int:
    from strata.lake.keys import new_run_id, warehouse_prefix
    from strata.models.executor import execute
    from strata_dev.cli.context import context_for

    ctx = context_for(args)
    run_id = new_run_id()
    console.step(f"models {command} {run_id} (target {args.target or ctx.settings.environment})")
    summary = execute(ctx, run_id, _options(args, command))
    for node in summary["nodes"]:
        _show(console, node)
    counts: dict[str, int] = {}
    for node in summary["nodes"]:
        counts[node["status"]] = counts.get(node["status"], 0) + 1
    if command == "test":  # dbt's unit tests, on an in-memory twin (strata/models/unit_tests.py)
        from strata.models.unit_tests import run_unit_tests

        for unit in run_unit_tests(ctx.project, ctx.settings, _options(args, command)):
            _show(console, {"kind": "unit test", "sample": [], **unit.__dict__})
            for line in unit.diff:
                console.detail("      " + line)
            counts[unit.status] = counts.get(unit.status, 0) + 1
    console.line()
    console.line("  ".join(f"{status}: {count}" for status, count in sorted(counts.items())))
    console.detail(f"artifacts: {ctx.ports.artifacts.uri(warehouse_prefix(run_id))}")
    if summary["status"] == "success" and not counts.get("fail") and not counts.get("error"):
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
    from strata.models import compile_for
    from strata.models.selection import select
    from strata_dev.cli.context import context_for

    ctx = context_for(args)
    compiled = compile_for(ctx.project, ctx.settings, args.target, args.vars)
    return compiled, select(compiled, args.select, args.exclude)


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
