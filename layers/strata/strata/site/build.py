"""``strata site build``: the dashboards and the data docs, written as a static site.

The site is built in a fresh folder beside the target and swapped in at the end, so a reader
(``strata site serve``, a bucket) never sees half a site, and a page removed from
``dashboards/`` disappears. A build whose inputs have not changed since the last one (the
renderer, the project files, and the runs that changed data) reuses it: see :func:`fingerprint`.
A broken page does not stop the others: it shows its error, and the build lists it.
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from strata.errors import ConfigError, StrataError
from strata.lake import state_keys
from strata.runtime import Context
from strata.site import meta
from strata.site.page import Page, Problem, parse_page
from strata.site.queries import QueryRunner
from strata.site.render import DASHBOARDS_JS, PLOTLY_JS, error_body, render_body
from strata.site.shell import NAV, asset_text, heading, render_page, write_shell_assets

DASHBOARDS = "dashboards/"
DOCS = "docs"  # the data docs' folder in the site
FINGERPRINT = ".fingerprint"
QUALITY_PAGE = "data_quality"

RenderPage = Callable[..., str]


@dataclass
class SiteBuild:
    """What a build did: the pages written, the problems found, whether it reused the last."""

    out_dir: Path
    pages: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reused: bool = False
    seconds: float = 0.0
    fingerprint: str = ""


def dashboard_files(ctx: Context) -> dict[str, str]:
    """Every ``dashboards/*.md`` of the project (the repository locally, the published
    project on AWS), by path relative to the project."""
    prefix = ctx.ports.project_prefix
    files = {}
    for info in ctx.ports.project_store.list(prefix + DASHBOARDS):
        relative = info.key[len(prefix) :]
        path = PurePosixPath(relative)
        if path.suffix == ".md" and len(path.parts) == 2 and not path.name.startswith("."):
            files[relative] = ctx.ports.project_store.get_bytes(info.key).decode("utf-8")
    return dict(sorted(files.items()))


def build_site(
    ctx: Context, out_dir: Path, *, force: bool = False, deadline: float | None = None
) -> SiteBuild:
    """Build the site into ``out_dir`` (unless it holds a build of the same inputs). A
    ``deadline`` (``time.monotonic()``) bounds the dashboards' warehouse queries: in a Lambda
    a query that would outlast the function fails its page, and the others still build."""
    started = time.perf_counter()
    files = dashboard_files(ctx)
    print_ = fingerprint(ctx, files)
    result = SiteBuild(out_dir=out_dir, fingerprint=print_)
    if not force and _unchanged(out_dir, print_):
        result.reused = True
        result.pages = json.loads((out_dir / FINGERPRINT).read_text())["pages"]
        result.seconds = time.perf_counter() - started
        return result
    staging = out_dir.with_name(out_dir.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        write_assets(staging)
        pages = [parse_page(path, text) for path, text in files.items()]
        runner = QueryRunner(ctx.ports.warehouse, lambda: meta.load(ctx), deadline=deadline)
        try:
            for page in pages:
                result.pages.append(_write_dashboard(staging, page, runner, result))
        finally:
            runner.close()
        result.pages.append(_write_index(staging, pages))
        result.pages += _write_docs(ctx, staging, result)
        result.pages += _fill_navigation(staging)
        (staging / FINGERPRINT).write_text(json.dumps({"inputs": print_, "pages": result.pages}))
        _swap(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    return result


def write_assets(out_dir: Path) -> None:
    """The stylesheet, the dashboards' script, and Plotly's bundle: written once per site."""
    write_shell_assets(out_dir)
    (out_dir / DASHBOARDS_JS).write_text(asset_text("dashboards.js"), encoding="utf-8")
    shutil.copyfile(plotly_bundle(), out_dir / PLOTLY_JS)


def plotly_bundle() -> Path:
    """Plotly's own ``plotly.min.js``, as the PyPI package ships it: no CDN, works offline. In
    Lambda the Site layer carries the file alone (``strata_site_assets``), not the package."""
    from strata_site_assets import asset

    shipped = asset("plotly.min.js")
    if shipped is not None:
        return shipped
    try:
        bundle = resources.files("plotly").joinpath("package_data", "plotly.min.js")
    except ModuleNotFoundError:
        raise ConfigError(
            "the site's charts need plotly: pip install 'strata[site]'", field="plotly"
        ) from None
    return Path(str(bundle))


def _write_dashboard(out_dir: Path, page: Page, runner: QueryRunner, result: SiteBuild) -> str:
    relative = f"dashboards/{page.slug}.html"
    try:
        rendered = render_body(page, runner)
        body, problems = rendered.body, rendered.problems
    except StrataError as exc:
        problem = Problem(page.path, 1, f"the page could not be built: {exc}")
        body, problems = error_body(page, str(exc)), [problem]
    result.problems += problems
    section = "quality" if page.slug == QUALITY_PAGE else "dashboards"
    text = render_page(
        page.title,
        heading(page.title) + body,
        section=section,
        depth=1,
        scripts=(PLOTLY_JS, DASHBOARDS_JS),
    )
    _write(out_dir / relative, text)
    return relative


def _write_index(out_dir: Path, pages: list[Page]) -> str:
    cards = "".join(
        f'<li><a href="dashboards/{html.escape(page.slug)}.html">{html.escape(page.title)}</a>'
        + (f'<p class="muted">{html.escape(page.description)}</p>' if page.description else "")
        + (
            f'<p class="status status-red">{len(page.problems)} problem(s)</p>'
            if page.problems
            else ""
        )
        + "</li>"
        for page in pages
    )
    body = (
        f'<ul class="cards">{cards}</ul>'
        if pages
        else '<p class="muted">No dashboards yet: add a page to <code>dashboards/</code>.</p>'
    )
    page = render_page("Dashboards", heading("Dashboards") + body, section="dashboards", depth=0)
    _write(out_dir / "index.html", page)
    return "index.html"


def _write_docs(ctx: Context, out_dir: Path, result: SiteBuild) -> list[str]:
    """The data docs (``strata.site.docs``), when that package is installed."""
    written: list[str] = []
    try:
        from strata.site import docs  # type: ignore[attr-defined]
    except ImportError:
        result.notes.append("data docs: not built (strata.site.docs is not installed)")
    else:
        try:
            pages = docs.build_docs(ctx, out_dir / DOCS, render_page, root_depth=1)
            written = [f"{DOCS}/{page}" for page in pages]
        except Exception as exc:  # the docs failing must not take the dashboards down
            message = f"the data docs failed: {type(exc).__name__}: {exc}"
            result.problems.append(Problem(DOCS, 0, message))
    return written


def _fill_navigation(out_dir: Path) -> list[str]:
    """A page for every navigation link that no build wrote (no data docs installed, no
    ``dashboards/data_quality.md``), saying so: the navigation never leads nowhere."""
    written = []
    for item in NAV:
        if not (out_dir / item.href).exists():
            body = heading(item.label) + (
                f'<p class="muted">This project has no {html.escape(item.label)} page.</p>'
            )
            depth = item.href.count("/")
            page = render_page(item.label, body, section=item.section, depth=depth)
            _write(out_dir / item.href, page)
            written.append(item.href)
    return written


def fingerprint(ctx: Context, files: dict[str, str]) -> str:
    """What the site is built from: the renderer, the project's files, and the runs that
    changed data. A run that found nothing new and succeeded changes none of these."""
    import strata_site_assets

    digest = hashlib.sha256()
    # The renderer, and the browser files it copies (Cytoscape.js, Plotly's bundle): a
    # new version of either rebuilds the site.
    renderer = _files(Path(str(resources.files(__package__))))
    renderer += _files(Path(str(resources.files(strata_site_assets))))
    for path in [*sorted(renderer), plotly_bundle()]:
        digest.update(path.name.encode() + path.read_bytes())
    project = ctx.project
    texts: dict[str, str] = {**files, **project.warehouse_files}
    for name, contract in project.contracts.items():
        texts[f"sources/{name}"] = contract.model_dump_json()
    for name, text in sorted(texts.items()):
        digest.update(f"\0{name}\0{text}".encode())
    for run in sorted(ctx.ports.state.query(state_keys.RUN), key=lambda r: str(r["run_id"])):
        if _changed_data(run):
            digest.update(f"\0{run['run_id']}:{run.get('status')}".encode())
    return digest.hexdigest()


def _changed_data(run: dict[str, Any]) -> bool:
    # A run converted files (its summary counts them per source) or did not succeed.
    return bool(run.get("sources")) or run.get("status") != "succeeded"


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def _unchanged(out_dir: Path, print_: str) -> bool:
    marker = out_dir / FINGERPRINT
    if not marker.exists() or not (out_dir / "index.html").exists():
        return False
    try:
        return bool(json.loads(marker.read_text()).get("inputs") == print_)
    except (ValueError, AttributeError):
        return False


def _swap(staging: Path, out_dir: Path) -> None:
    old = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
