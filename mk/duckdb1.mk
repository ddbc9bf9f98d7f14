# A DuckDB 1.x client in its own virtualenv (.tools/duckdb1), pinned by requirements/duckdb1.txt:
# the test that SQL clients bundling DuckDB 1.x open the local warehouse file runs it.
# Included by the top-level Makefile; the test also runs `make -f mk/duckdb1.mk duckdb1-tools`
# itself when the environment is missing.

BOOTSTRAP_PYTHON ?= python3
DUCKDB1_VENV := .tools/duckdb1
DUCKDB1_STAMP := $(DUCKDB1_VENV)/.installed

.PHONY: duckdb1-tools

duckdb1-tools: $(DUCKDB1_STAMP) ## Install a DuckDB 1.x client (own venv)

# Re-installs only when requirements/duckdb1.txt changes.
$(DUCKDB1_STAMP): requirements/duckdb1.txt
	test -x $(DUCKDB1_VENV)/bin/python || $(BOOTSTRAP_PYTHON) -m venv $(DUCKDB1_VENV)
	$(DUCKDB1_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/duckdb1.txt
	touch $@

# Part of `make test`: installed before pytest runs (`unit`), which uses it.
unit: duckdb1-tools
