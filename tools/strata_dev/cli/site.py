"""``strata site build`` and ``strata site serve``: the dashboards and data docs as a static
site in ``lake/site/``, and a local web server for it on 127.0.0.1 only. ``strata site open
--env prod``: the site an environment published to its private bucket, through a loopback
proxy that reads each page with the caller's own AWS credentials (docs/consumers.md)."""

from __future__ import annotations

import argparse
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from strata.runtime import Context
from strata_dev.cli.context import context_for
from strata_dev.console import Console

LOOPBACK = "127.0.0.1"


def register(sub: Any) -> None:
    from strata_dev.cli.help import command

    site = command(
        sub,
        "site",
        "build the dashboards and data docs into a static site, or serve it on 127.0.0.1",
        "strata site build\n  strata site serve --port 8000",
    )
    actions = site.add_subparsers(required=True, metavar="ACTION")
    build = actions.add_parser(
        "build",
        help="render dashboards/*.md and the data docs into lake/site",
        description="Render every dashboard page (queries on the local warehouse, the run "
        "reports) and the data docs; a page with a problem shows it, and the others build.",
        epilog="example:\n  strata site build\n  strata site build --out /tmp/site --force",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("--out", type=Path, help="the site's folder (default: lake/site)")
    build.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    build.set_defaults(command=build_command)
    serve = actions.add_parser(
        "serve",
        help="serve the built site on http://127.0.0.1:PORT (builds it first if absent)",
        description="Serve the site on the loopback address only; Ctrl-C stops it.",
        epilog="example:\n  strata site serve --port 8000",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--port", type=int, default=8000, help="default: 8000")
    serve.add_argument("--out", type=Path, help="the site's folder (default: lake/site)")
    serve.set_defaults(command=serve_command)
    open_ = actions.add_parser(
        "open",
        help="read a deployed environment's site on http://127.0.0.1:PORT with your AWS access",
        description="Serve the site bucket of a deployed stack on the loopback address: each "
        "request is read from S3 with your own credentials (nothing is downloaded ahead, no "
        "link is shareable). Ctrl-C stops it.",
        epilog="example:\n  strata site open --env prod\n"
        "  strata site open --bucket <SiteBucketName>",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = open_.add_mutually_exclusive_group(required=True)
    where.add_argument("--env", help="the environment: its stack strata-<env>'s site bucket")
    where.add_argument("--bucket", help="the site bucket itself (the stack's SiteBucketName)")
    open_.add_argument("--stack", help="the stack's name (default: strata-<env>)")
    open_.add_argument("--region", help="the stack's region (default: the AWS config's)")
    open_.add_argument("--port", type=int, default=8001, help="default: 8001")
    open_.set_defaults(command=open_command)


def site_dir(ctx: Context, out: Path | None) -> Path:
    return (out or ctx.settings.lake_dir / "site").resolve()


def build_command(args: argparse.Namespace, console: Console) -> int:
    from strata.site.build import build_site

    ctx = context_for(args)
    out_dir = site_dir(ctx, args.out)
    build = build_site(ctx, out_dir, force=args.force)
    for note in build.notes:
        console.detail(note)
    for problem in build.problems:
        console.warn(str(problem))
    if build.reused:
        console.success(f"site unchanged since the last build: {out_dir} (use --force to rebuild)")
    else:
        console.success(f"site built: {len(build.pages)} page(s) in {build.seconds:.1f} s")
    console.line(f"  open it with `strata site serve`, or the file {out_dir / 'index.html'}")
    return 1 if build.problems else 0


def serve_command(args: argparse.Namespace, console: Console) -> int:
    from strata.site.build import build_site

    ctx = context_for(args)
    out_dir = site_dir(ctx, args.out)
    if not (out_dir / "index.html").exists():
        build_site(ctx, out_dir)
    server = serve_site(out_dir, args.port)
    url = f"http://{LOOPBACK}:{server.server_port}/"
    return serve_until_stopped(server, f"serving {out_dir} on {url} (Ctrl-C stops)", console)


def serve_until_stopped(server: ThreadingHTTPServer, announce: str, console: Console) -> int:
    """Say where the site is, then serve it until Ctrl-C."""
    console.success(announce)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.line()
    finally:
        server.server_close()
    return 0


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the terminal stays for what matters."""


def serve_site(directory: Path, port: int = 0) -> ThreadingHTTPServer:
    """A server for the site on the loopback address (port 0: any free port); the caller
    runs ``serve_forever`` (see :func:`serve_in_background`)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    return ThreadingHTTPServer((LOOPBACK, port), handler)


def serve_in_background(directory: Path, port: int = 0) -> ThreadingHTTPServer:
    """The same server in a daemon thread: for tests and benchmarks; ``shutdown()`` stops it."""
    server = serve_site(directory, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def site_bucket(cloudformation: Any, stack: str) -> str:
    """The stack's ``SiteBucketName`` output."""
    from strata.errors import ConfigError

    (description,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in description.get("Outputs", [])}
    if "SiteBucketName" not in outputs:
        raise ConfigError("the stack has no output SiteBucketName: deploy the current template")
    return outputs["SiteBucketName"]


def open_command(args: argparse.Namespace, console: Console) -> int:
    import boto3

    bucket = args.bucket or site_bucket(
        boto3.client("cloudformation", region_name=args.region), args.stack or f"strata-{args.env}"
    )
    server = proxy_site(boto3.client("s3", region_name=args.region), bucket, args.port)
    url = f"http://{LOOPBACK}:{server.server_port}/"
    announce = f"the site of s3://{bucket} on {url} (your AWS credentials; Ctrl-C stops)"
    return serve_until_stopped(server, announce, console)


def proxy_site(s3: Any, bucket: str, port: int = 0) -> ThreadingHTTPServer:
    """A loopback server answering each GET with the object of the same key in ``bucket``
    (``/`` and folders: their ``index.html``). Relative links and the pages' scripts work as
    from a folder; nothing is cached or written locally."""
    from botocore.exceptions import ClientError

    from strata.site.publish import content_type

    class Proxy(_QuietHandler):
        def do_GET(self) -> None:  # http.server's naming
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            key = path.lstrip("/")
            if not key or key.endswith("/"):
                key += "index.html"
            try:
                body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                status = 404 if code in ("NoSuchKey", "404") else 403
                self.send_error(status, f"s3://{bucket}/{key}: {code}")
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type(key))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return ThreadingHTTPServer((LOOPBACK, port), Proxy)
