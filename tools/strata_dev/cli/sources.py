"""``strata sources``: the command group for a project's sources. ``strata sources new`` writes a
contract and a staging model inferred from a sample (``strata_dev.sources``); ``strata sources``
and ``strata sources list`` list the sources (``cli/sources_list.py``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from strata.errors import UsageError
from strata_dev.console import Console

AUTH_TYPES = ("none", "bearer", "api_key", "basic", "oauth2_client_credentials")
PAGINATION_TYPES = ("none", "page_number", "offset", "cursor", "next_url", "link_header")


def register(sub: Any) -> None:
    from strata_dev.cli.help import command

    group = command(
        sub,
        "sources",
        "list the sources, or add one from a sample (`strata sources new`)",
        "strata sources new orders --kind s3_drop --sample samples/orders/orders.csv",
    )
    actions = group.add_subparsers(metavar="ACTION")
    _register_new(actions)
    _register_list(actions, group)


def _register_list(actions: Any, group: argparse.ArgumentParser) -> None:
    # --- `strata sources` and `strata sources list` (h-scale): cli/sources_list.py -----------
    try:
        from strata_dev.cli import sources_list
    except ImportError:  # not in this branch yet: `strata sources` alone asks for an action
        group.set_defaults(command=_ask_for_action)
        return
    sources_list.register(actions, group)


def _ask_for_action(args: argparse.Namespace, console: Console) -> int:
    del args, console
    raise UsageError("strata sources: name an action (new)")


def _register_new(actions: Any) -> None:
    new = actions.add_parser(
        "new",
        help="infer a contract and a staging model from a sample file or one API response",
        description=(
            "Infer sources/NAME.yaml from a sample: format and dialect, column names and\n"
            "types, key, partitioning. Each guess carries a comment; the ones the sample\n"
            "contradicts or cannot decide are marked REVIEW, with the values that contradict\n"
            "them. Also writes warehouse/models/stage/stg_NAME.sql and .yml, and regenerates\n"
            "the files that follow the contracts (docs/onboarding.md)."
        ),
        epilog=(
            "example:\n"
            "  strata sources new orders --kind s3_drop --sample orders.csv --timezone "
            "Europe/Paris\n"
            "  strata sources new budgets --kind manual --sample budgets.xlsx --sheet 2026\n"
            "  strata sources new payments --kind api --sample https://api.example.com/v1/pay "
            "--auth bearer --secret payments_token"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument("name", help="the source's name (snake_case): also its table's")
    new.add_argument("--kind", required=True, choices=("s3_drop", "manual", "sftp", "api"))
    new.add_argument("--sample", required=True, help="a sample file, or the API's URL")
    new.add_argument("--timezone", help="IANA zone of times written without an offset")
    new.add_argument("--sheet", help="the workbook's sheet (default: the first with data)")
    new.add_argument("--description", help="what the source holds")
    new.add_argument("--owner", help="who to ask about it (team or email)")
    new.add_argument("--force", action="store_true", help="overwrite an existing contract")
    new.add_argument("--secret", help="the secret's name (API auth, SFTP login)")
    api = new.add_argument_group("API (--kind api)")
    api.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a fixed query parameter sent with every request (repeatable)",
    )
    api.add_argument("--auth", choices=AUTH_TYPES, default="none")
    api.add_argument("--auth-header", help="api_key: the header carrying the key")
    api.add_argument("--auth-query-param", help="api_key: the query parameter carrying it")
    api.add_argument("--token-url", help="oauth2_client_credentials: the token endpoint")
    api.add_argument("--scope", help="oauth2_client_credentials: scopes to request")
    api.add_argument(
        "--pagination",
        choices=PAGINATION_TYPES,
        help="default: what the response suggests (flagged for review)",
    )
    api.add_argument("--cursor-path", help="cursor: dotted path to the next cursor")
    api.add_argument("--has-more-path", help="cursor: dotted path to the has-more flag")
    api.add_argument("--next-url-path", help="next_url: dotted path to the next URL")
    sftp = new.add_argument_group("SFTP (--kind sftp)")
    sftp.add_argument("--host", help="the server")
    sftp.add_argument("--username", help="the login (default: the source's name)")
    sftp.add_argument("--remote-path", help="the remote folder (default: .)")
    new.set_defaults(command=new_command)


def new_command(args: argparse.Namespace, console: Console) -> int:
    from strata.secrets.local import LocalSecretStore
    from strata_dev.sources.new import NewSource, new_source

    project_dir: Path = args.project_dir.resolve()
    request = NewSource(
        name=args.name,
        kind=args.kind,
        sample=args.sample,
        timezone=args.timezone,
        sheet=args.sheet,
        description=args.description,
        owner=args.owner,
        force=args.force,
        auth=_auth(args),
        pagination=_pagination(args),
        params=_params(args.param),
        sftp={
            "host": args.host,
            "username": args.username,
            "secret": args.secret,
            "path": args.remote_path,
        },
    )
    secrets = LocalSecretStore(file=project_dir / ".secrets.json")
    written = new_source(request, project_dir, secrets)
    for path in (written.contract, *written.models):
        console.success(f"wrote {path.relative_to(project_dir)}")
    for path in written.kept:
        console.detail(f"kept {path.relative_to(project_dir)}: a model of that name exists")
    _regenerate(args, project_dir, console)
    rows = written.inference.rows
    console.detail(f"{len(written.inference.columns)} column(s) inferred from {rows:,} record(s)")
    shown = written.contract.relative_to(project_dir)
    for line, text in written.flagged:
        console.warn(f"{shown}:{line}: REVIEW: {text}")
    if not written.flagged:
        console.success("nothing to review: the sample contradicts no guess")
    return 0


def _regenerate(args: argparse.Namespace, project_dir: Path, console: Console) -> None:
    """The files that follow the contracts (as `strata validate --fix`), and the reference."""
    from strata_dev.cli.context import context_for
    from strata_dev.cli.generated import from_contracts
    from strata_dev.docs.contracts import reference_is_current, write_reference

    if not (project_dir / "template.yaml").exists():
        console.detail("no template.yaml here: nothing else to regenerate")
        return
    ctx = context_for(args)
    for artifact in from_contracts(ctx, project_dir):
        if artifact.stale():
            artifact.write()
            console.success(f"updated {artifact.path.relative_to(project_dir)}")
    if not reference_is_current(project_dir):
        console.success(f"updated {write_reference(project_dir).relative_to(project_dir)}")


def _auth(args: argparse.Namespace) -> dict[str, Any]:
    options = {
        "type": args.auth,
        "secret": args.secret,
        "header": args.auth_header,
        "query_param": args.auth_query_param,
        "token_url": args.token_url,
        "scope": args.scope,
    }
    if args.auth == "none":
        return {"type": "none"}
    return {key: value for key, value in options.items() if value is not None}


def _params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {pair!r}: write KEY=VALUE")
        params[key] = value
    return params


def _pagination(args: argparse.Namespace) -> dict[str, Any] | None:
    if args.pagination is None:
        return None
    options = {
        "type": args.pagination,
        "cursor_path": args.cursor_path,
        "has_more_path": args.has_more_path,
        "next_url_path": args.next_url_path,
    }
    return {key: value for key, value in options.items() if value is not None}
