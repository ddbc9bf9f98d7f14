"""``strata warehouse bootstrap``: the one-time database grants of a deployed stack's pipeline
(docs/deploy.md, "Warehouse bootstrap"; the SQL is explained in
``strata_dev.deploy.warehouse_bootstrap``)."""

from __future__ import annotations

import argparse
from typing import Any

from strata_dev.console import Console


def register(sub: Any) -> None:
    from strata_dev.cli.help import command

    warehouse = command(
        sub,
        "warehouse",
        "set up the Redshift database for a deployed stack (once per environment)",
        "strata warehouse bootstrap --stack strata-dev\n"
        "  strata warehouse bootstrap --stack strata-dev --execute --admin-secret-arn <arn>",
    )
    actions = warehouse.add_subparsers(required=True, metavar="ACTION")
    bootstrap = actions.add_parser(
        "bootstrap",
        help="print (or run) the GRANTs the pipeline's database role needs",
        description=(
            "Print the SQL that creates the pipeline's database role, the external schema and "
            "the model schemas, and grants the role what a run does; with --execute, run it "
            "through the Redshift Data API as a superuser."
        ),
        epilog="example:\n  strata warehouse bootstrap --stack strata-prod --region eu-west-1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bootstrap.add_argument("--stack", required=True, help="the CloudFormation stack (strata-dev)")
    bootstrap.add_argument("--region", help="the stack's region (default: the AWS config's)")
    bootstrap.add_argument(
        "--role-name",
        help="the state machine's IAM role name (default: the stack's PipelineRoleName output)",
    )
    bootstrap.add_argument(
        "--db-user",
        help="grant to this database user instead (a secret's user, or a cluster's)",
    )
    bootstrap.add_argument(
        "--execute", action="store_true", help="run the statements (else only print them)"
    )
    bootstrap.add_argument(
        "--admin-secret-arn",
        help="with --execute: sign in with this admin secret (else the caller's IAM identity)",
    )
    bootstrap.set_defaults(command=run_bootstrap)


def aws_client(service: str, region: str | None) -> Any:
    import boto3

    return boto3.client(service, region_name=region)


def run_bootstrap(args: argparse.Namespace, console: Console) -> int:
    from dataclasses import replace

    from strata_dev.deploy import warehouse_bootstrap as wb

    stack = wb.describe_stack(aws_client("cloudformation", args.region), args.stack)
    if args.role_name:
        stack = replace(stack, pipeline_role=args.role_name)
    grantee = wb.grantee_for(stack, args.db_user)
    schemas = wb.model_schemas(args.project_dir.resolve(), stack.environment)
    statements = wb.bootstrap_sql(stack, grantee, schemas) + wb.reader_sql(stack, schemas)
    if not args.execute:
        console.line(wb.render(stack, grantee, statements).rstrip("\n"))
        return 0
    wb.execute(
        aws_client("redshift-data", args.region),
        stack,
        statements,
        secret_arn=args.admin_secret_arn,
        on_done=lambda statement, outcome: console.detail(f"{outcome}: {statement.sql}"),
    )
    console.success(
        f"{stack.database}: {grantee.sql()} may now build the models of {stack.environment}"
    )
    return 0
