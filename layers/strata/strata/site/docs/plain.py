"""A bare page frame, for building the docs on their own (tests, the bench); the site passes
its own shell with the navigation shared by the dashboards."""

from __future__ import annotations

from html import escape


def plain_page(title: str, body_html: str, *, section: str, depth: int) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No favicon to fetch: a missing one would be a 404 in the console of every page.
        '<link rel="icon" href="data:,">'
        f"<title>{escape(title)} · Strata</title></head>\n"
        f'<body data-section="{escape(section)}" data-depth="{depth}">'
        f"<main>\n{body_html}\n</main></body></html>\n"
    )
