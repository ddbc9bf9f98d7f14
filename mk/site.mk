# The site (dashboards, data docs): the browser its tests drive, and its benchmark.
# Included by the top-level Makefile.

.PHONY: browser bench-site site-layer

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

# The Site layer as `sam build` makes it (layers/site/Makefile), into bench/out/site-layer, with
# its unzipped size: tools/check_package_size.py counts its requirements but not the
# plotly.min.js the Makefile adds (4.6 MiB).
site-layer: setup
	rm -rf bench/out/site-layer
	$(MAKE) -s -C layers/site build-SiteLayer ARTIFACTS_DIR=$(CURDIR)/bench/out/site-layer PYTHON=$(CURDIR)/$(PY)
	@echo "Site layer: $$(du -sb bench/out/site-layer | cut -f1) bytes unzipped (bench/out/site-layer)"
