# Data docs: the docs-and-lineage benchmark, and the vendored Cytoscape.js.
# Included by the top-level Makefile.

CYTOSCAPE_VENDOR := layers/site/strata_site_assets

.PHONY: bench-docs vendor-cytoscape

# A generated project of 50 sources and 200 models: docs and lineage in < 30 s (exit 1 if not).
bench-docs: setup
	$(PY) bench/docs.py --sources 50 --models 200

bench: bench-docs

# The lineage page's graph library is committed in strata_site_assets (it ships in the Site
# layer, not the Strata layer, and a clean clone needs no npm to build the docs). To upgrade: change the version pinned in
# package.json, then `make vendor-cytoscape`; a test checks the copy matches the pin.
vendor-cytoscape: $(NODE_STAMP)
	cp node_modules/cytoscape/dist/cytoscape.min.js $(CYTOSCAPE_VENDOR)/cytoscape.min.js
	cp node_modules/cytoscape/LICENSE $(CYTOSCAPE_VENDOR)/cytoscape.LICENSE
