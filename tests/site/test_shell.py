"""The page shell: relative links at any depth, the current section marked, the stylesheet."""

from __future__ import annotations

import pytest

from strata.site.shell import NAV, STYLESHEET, render_page, write_shell_assets


def test_links_climb_back_to_the_root_from_the_page_depth():
    page = render_page("Orders", "<p>hi</p>", section="catalog", depth=2)
    assert f'href="../../{STYLESHEET}"' in page
    for item in NAV:
        assert f'href="../../{item.href}"' in page
    assert "<p>hi</p>" in page


def test_the_current_section_is_marked_and_the_title_escaped():
    page = render_page("A <b> & c", "", section="lineage", depth=0)
    assert "<title>A &lt;b&gt; &amp; c · Strata</title>" in page
    assert '<a href="docs/lineage.html" class="current" aria-current="page">Lineage</a>' in page
    assert page.count('aria-current="page"') == 1


def test_extra_scripts_load_relative_to_the_root():
    page = render_page("x", "", section="dashboards", depth=1, scripts=("assets/plotly.min.js",))
    assert '<script src="../assets/plotly.min.js"></script>' in page


def test_an_unknown_section_or_negative_depth_is_refused():
    with pytest.raises(ValueError, match="unknown section"):
        render_page("x", "", section="nowhere", depth=0)
    with pytest.raises(ValueError, match="depth"):
        render_page("x", "", section="catalog", depth=-1)


def test_the_stylesheet_is_written_once_into_the_site(tmp_path):
    written = write_shell_assets(tmp_path)
    assert written == [STYLESHEET]
    assert ".site-nav" in (tmp_path / STYLESHEET).read_text()
