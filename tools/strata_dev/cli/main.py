"""The strata command: a thin shell over the library. Errors become one red line and exit code
1 (the traceback only with --debug); usage errors exit 2; a run refused because another run is
in progress exits 3."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from strata.errors import StrataError
from strata_dev.cli.help import command
from strata_dev.console import Console
from strata_dev.progress_bars import showing_progress

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    console = Console()
    _quiet_lambda_tooling()
    try:
        with showing_progress(console):
            return int(args.command(args, console))
    except StrataError as exc:
        if args.debug:
            raise
        console.error(str(exc))
        return exc.exit_code
    finally:
        from strata.runtime import close_current

        close_current()


def _parser() -> argparse.ArgumentParser:
    from strata_dev.cli import commands, runs

    parser = argparse.ArgumentParser(
        prog="strata",
        description="Strata: a serverless data lake that also runs, whole, on this machine.",
        epilog=OVERVIEW,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument(
        "--project-dir", type=Path, default=Path("."), help="repository root (default: .)"
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    run = command(
        sub,
        "run",
        "run the whole pipeline locally: ingest, convert, build the models, report",
        "strata run\n  strata run --source orders --wait",
    )
    run.add_argument("--source", action="append", dest="sources", help="only these sources")
    run.add_argument(
        "--inline-map-limit",
        type=int,
        metavar="N",
        help="convert in a distributed Map above N new objects (template parameter InlineMapLimit)",
    )
    run.add_argument("--select", "-s", action="append", help='models to build, e.g. "stg_orders+"')
    run.add_argument("--exclude", action="append", help="models to leave out")
    run.add_argument("--target", "-t", help="the models' target: dev, test or prod")
    run.add_argument("--full-refresh", action="store_true", help="rebuild incremental models whole")
    run.add_argument(
        "--wait", action="store_true", help="wait for a run in progress instead of exiting (3)"
    )
    run.add_argument(
        "--allow-deferred",
        action="store_true",
        help="exit 0 when the models were deferred because another run held the warehouse",
    )
    run.set_defaults(command=commands.run)

    runs.register(sub)

    validate = command(
        sub,
        "validate",
        "check every contract, model and the state machine before anything runs",
        "strata validate\n  strata validate --fix    # after adding sources/<name>.yaml",
    )
    validate.add_argument(
        "--fix",
        action="store_true",
        help="first rewrite the files generated from sources/ (template.yaml's per-source "
        "section, warehouse/models/_sources.yml)",
    )
    validate.set_defaults(command=commands.validate)

    query = command(
        sub,
        "query",
        "run SQL against the local warehouse (Redshift SQL, transpiled to DuckDB)",
        'strata query "select * from analytics.daily_revenue order by 1, 2"\n'
        '  strata query "select * from stage.stg_orders" --format csv > orders.csv',
    )
    query.add_argument("sql", help="Redshift SQL (transpiled to DuckDB)")
    query.add_argument("--duckdb", action="store_true", help="the SQL is DuckDB SQL already")
    query.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table (default), csv, or json (one object per line)",
    )
    query.set_defaults(command=commands.query)

    upload = command(
        sub,
        "upload",
        "put files in a source's landing prefix (the next run lands and converts them)",
        "strata upload orders samples/orders/orders_2026-11-01.csv",
    )
    upload.add_argument("source")
    upload.add_argument("files", nargs="+", type=Path)
    upload.add_argument(
        "--bucket", help="with STRATA_RUNTIME=aws: the landing bucket (else $STRATA_LANDING_BUCKET)"
    )
    upload.set_defaults(command=commands.upload)

    publish = command(
        sub,
        "publish",
        "copy sources/ and warehouse/ to the artifacts bucket, where the functions read them",
        "strata publish --bucket <ArtifactsBucket output>",
    )
    publish.add_argument("--bucket", required=True, help="the stack's ArtifactsBucket output")
    publish.add_argument("--prefix", default="project/", help="default: project/")
    publish.set_defaults(command=commands.publish)

    template = command(
        sub,
        "template",
        "regenerate template.yaml's per-source functions from sources/",
        "strata template\n  strata template --check",
    )
    template.add_argument("--check", action="store_true", help="fail when it is out of date")
    template.set_defaults(command=commands.template)

    docs = command(
        sub,
        "docs",
        "regenerate docs/sources.md from the contract model",
        "strata docs --check",
    )
    docs.add_argument("--check", action="store_true", help="fail when it is out of date")
    docs.set_defaults(command=commands.docs)

    from strata_dev.cli import models, site, sources, warehouse

    sources.register(sub)
    models.register(sub)
    warehouse.register(sub)
    site.register(sub)
    return parser


OVERVIEW = """first steps:
  strata validate                        check contracts, models and the state machine
  strata upload orders samples/orders/*.csv
  strata run                             ingest, convert, build the models, report
  strata runs                            what each run did
  strata query "select * from analytics.daily_revenue"

exit codes: 0 success, 1 failure (the report says which), 2 usage, 3 another run in progress.
`strata COMMAND --help` shows a command's options and an example."""


def _quiet_lambda_tooling() -> None:
    # Handlers run in this process during `strata run`: keep Powertools' JSON lines and EMF
    # blobs out of the terminal (a Lambda's own logs are the place for them).
    import warnings

    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    # One process invokes several sources' handlers in turn; each sets its own dimension.
    warnings.filterwarnings("ignore", message="Dimension 'source' has already been added")


if __name__ == "__main__":
    sys.exit(main())
