# The site (dashboards, data docs): the browser its tests drive, and its benchmark.
# Included by the top-level Makefile.

.PHONY: browser bench-site

# Debian's Chromium for the browser tests (tests/site/test_browser.py), driven by Playwright
# with executable_path: no browser download. Needs root (CI runs as root); skipped when present.
browser:
	@if [ -x /usr/bin/chromium ]; then \
		echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null | head -1)"; \
	else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

# Demo site build time (target < 15 s), a rebuild with nothing changed (reuses the last build),
# the page weight, and what Plotly adds to a Lambda layer.
bench-site: setup
	$(PY) bench/site_build.py
