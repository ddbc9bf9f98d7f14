"""``strata site build`` and ``strata site serve``: the dashboards and data docs as a static
site in ``lake/site/``, and a local web server for it on 127.0.0.1 only."""

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
    console.success(f"serving {out_dir} on http://{LOOPBACK}:{server.server_port}/ (Ctrl-C stops)")
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
