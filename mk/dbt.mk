# dbt's own parser as a check: warehouse/ must stay a project dbt-core accepts, so a team can
# move to dbt without rewriting its models. dbt lives in its own virtualenv (.tools/dbt),
# pinned by requirements/dbt.txt; it is test tooling, never a dependency of Strata.
# Included by the top-level Makefile; also usable alone: make -f mk/dbt.mk dbt-parse

BOOTSTRAP_PYTHON ?= python3
PYTHON ?= .venv/bin/python
STRATA ?= .venv/bin/strata
DBT_VENV := .tools/dbt
DBT := $(DBT_VENV)/bin/dbt
DBT_STAMP := $(DBT_VENV)/.installed
DBT_OUT := .tools/dbt-out

.PHONY: dbt-tools dbt-parse models-sources-check

dbt-tools: $(DBT_STAMP) ## Install dbt-core + dbt-duckdb (own venv)

# Re-installs only when requirements/dbt.txt changes.
$(DBT_STAMP): requirements/dbt.txt
	test -x $(DBT_VENV)/bin/python || $(BOOTSTRAP_PYTHON) -m venv $(DBT_VENV)
	$(DBT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/dbt.txt
	$(DBT) --version
	touch $@

# The generated sources YAML must match the contracts before dbt reads it.
models-sources-check: ## warehouse/models/_sources.yml is current with sources/*.yaml
	$(STRATA) models sources --check

# Outputs (target/, logs/) go under .tools, never into warehouse/.
# --warn-error: a deprecation dbt warns about fails the check too.
dbt-parse: $(DBT_STAMP) models-sources-check ## dbt-core parses warehouse/ (dbt parse)
	cd warehouse && DBT_SEND_ANONYMOUS_USAGE_STATS=false ../$(DBT) parse \
		--profiles-dir . --project-dir . \
		--target-path ../$(DBT_OUT)/target --log-path ../$(DBT_OUT)/logs \
		--warn-error

# Part of `make test` (the top-level Makefile's test target has no recipe of its own).
test: dbt-parse

VENV ?= .venv
models-sources-check: $(VENV)/.installed
