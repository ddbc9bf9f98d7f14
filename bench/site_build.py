"""Site build benchmark (`make bench-site`): the demo's site built from a fresh demo lake, then
again with nothing changed (it must reuse the last build), the page weight, and what Plotly
would add to a Lambda layer. Prints the numbers; never part of `make test`."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "dev" / "local")]

TARGET_SECONDS = 15.0


def demo_project(root: Path) -> Path:
    """A copy of the project with the samples run through the pipeline (quietly)."""
    import contextlib
    import io

    from demo_project import point_at_servers

    from samples.servers.demo import DemoServers
    from strata_dev.cli.main import main

    project = root / "project"
    for part in ("sources", "warehouse", "statemachines", "functions", "dashboards"):
        shutil.copytree(REPO / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "template.yaml", project / "template.yaml")
    base = ["--project-dir", str(project)]
    with DemoServers(api_port=0, sftp_port=0) as servers, contextlib.redirect_stdout(io.StringIO()):
        point_at_servers(project, servers)
        for source, pattern in (
            ("orders", "orders/*.csv"),
            ("shipments", "shipments/*.ndjson"),
            ("marketing_spend", "marketing_spend/*.xlsx"),
        ):
            files = [str(p) for p in sorted((REPO / "samples").glob(pattern))]
            assert main([*base, "upload", source, *files]) == 0
        assert main([*base, "run"]) == 0
    return project


def timed_builds(project: Path, repeat: int) -> tuple[list[float], float, int]:
    from strata.runtime import build_context
    from strata.settings import Settings
    from strata.site.build import build_site

    ctx = build_context(Settings(project_dir=project, lake_dir=project / "lake"))
    out = project / "lake" / "site"
    try:
        cold = []
        for _ in range(repeat):
            started = time.perf_counter()
            build = build_site(ctx, out, force=True)
            cold.append(time.perf_counter() - started)
            assert not build.reused and not build.problems, build.problems
        started = time.perf_counter()
        again = build_site(ctx, out)
        unchanged = time.perf_counter() - started
        assert again.reused, "a build with nothing changed rebuilt the site"
        return cold, unchanged, len(build.pages)
    finally:
        ctx.ports.warehouse.close()  # type: ignore[attr-defined]


def page_weight(site: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(path.relative_to(site)), path.stat().st_size)
        for path in site.rglob("*")
        if path.is_file() and path.name != ".fingerprint"
    )


def plotly_layer_size(work: Path) -> tuple[int, int] | None:
    """Bytes that `pip install plotly --target` writes (what a layer would hold), and of its
    plotly.min.js alone (all the renderer needs from it)."""
    from importlib.metadata import version

    target = work / "plotly-layer"
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
        "-c", str(REPO / "requirements" / "constraints.txt"), f"plotly=={version('plotly')}",
    ]  # fmt: skip
    if subprocess.run(command, capture_output=True, check=False).returncode != 0:
        return None
    total = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    bundle = next(target.rglob("plotly.min.js")).stat().st_size
    return total, bundle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-layer", action="store_true", help="skip the pip install")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="strata-bench-site-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        project = demo_project(root)
        print(f"demo lake ready in {time.perf_counter() - started:.1f} s")
        cold, unchanged, pages = timed_builds(project, args.repeat)
        median = statistics.median(cold)
        verdict = "ok" if median < TARGET_SECONDS else f"OVER the {TARGET_SECONDS:.0f} s target"
        print(f"site build, demo ({pages} pages): median {median:.2f} s of {args.repeat} "
              f"(min {min(cold):.2f}, max {max(cold):.2f}): {verdict}")  # fmt: skip
        print(f"rebuild with nothing changed: {unchanged:.3f} s (reused the last build)")
        weights = page_weight(project / "lake" / "site")
        for name, size in weights:
            print(f"  {name:40} {size / 1024:9.1f} KiB")
        total = sum(size for _, size in weights)
        print(f"  {'whole site':40} {total / 1024:9.1f} KiB")
        if not args.skip_layer:
            sizes = plotly_layer_size(root)
            if sizes is None:
                print("plotly layer size: pip install failed (no registry?)")
            else:
                layer, bundle = (size / 2**20 for size in sizes)
                print(f"plotly in a Lambda layer (pip install --target): {layer:.1f} MiB; "
                      f"the renderer needs only plotly.min.js: {bundle:.1f} MiB")  # fmt: skip
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
