"""Generated data docs: every source, cleansed table, model and dashboard page, and the lineage
from each source to the dashboards, built from the lake itself (never written by hand).

``strata site build`` calls :func:`build_docs` with the site's page shell; the same call runs
in a Lambda, since everything is read through the ports.
"""

from __future__ import annotations

from pathlib import Path

from strata.runtime import Context
from strata.site.docs.gather import gather
from strata.site.docs.lineage import build_lineage
from strata.site.docs.pages import RenderPage, write_pages
from strata.site.docs.plain import plain_page

__all__ = ["build_docs", "build_lineage", "gather"]


def build_docs(
    ctx: Context, out_dir: Path, render_page: RenderPage | None = None, *, root_depth: int = 1
) -> list[str]:
    """Write the docs under ``out_dir`` (by default ``<site>/docs/``, hence ``root_depth`` 1:
    how many folders ``out_dir`` lies below the site's root); returns the pages written,
    relative to ``out_dir``."""
    docs = gather(ctx)
    lineage = build_lineage(docs)
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_pages(docs, lineage, out_dir, render_page or plain_page, root_depth)
