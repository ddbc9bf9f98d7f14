# Strata: the two commands a newcomer needs are `make demo` and `make test`.
# Everything they need is installed from the package registries by the targets below.

BOOTSTRAP_PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTHON := $(PY)
STRATA := $(VENV)/bin/strata
export AWS_DEFAULT_REGION ?= eu-west-1

.DEFAULT_GOAL := help
.PHONY: help setup demo test lint unit validate docs clean clean-lake

help:
	@echo "make demo   set up, then run the whole pipeline on the sample sources (S3 drop, API, SFTP)"
	@echo "make test   set up, then run every check (lint, tests, template, ASL, package size)"
	@echo "make bench  conversion speed and memory (writes docs/benchmarks.md), then bench-incremental"
	@echo "make bench-incremental  10 pipeline runs with equal new data: the last may cost 1.2x the first"
	@echo "make bench-site  the demo site's build time, page weight, Plotly's size in a layer"
	@echo "make bench-docs  data docs and lineage of a generated 50-source, 200-model project (< 30 s)"
	@echo "make notebooks  after make demo: execute notebooks/*.ipynb on the demo lake"
	@echo "make bench-read  the read API against bare DuckDB, and partition pruning"
	@echo "make bench-models  state:modified+ on 300 models (< 1 s), a 1M-row model diff (< 5 s)"
	@echo "make clean-lake  forget the local lake (./lake)"

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[local,dev,site]"
	touch $@

setup: $(VENV)/.installed

# The sample vendor API and SFTP server (samples/servers) serve on 127.0.0.1 while `strata run`
# ingests from them, and stop when it ends.
# samples/backfill/ holds six months of history before the November files (make_backfill.py):
# enough customers and months for the churn and lifetime-value notebook.
demo: setup
	$(STRATA) upload orders samples/orders/*.csv samples/backfill/orders/*.csv
	$(STRATA) upload shipments samples/shipments/*.ndjson samples/backfill/shipments/*.ndjson
	$(STRATA) upload marketing_spend samples/marketing_spend/*.xlsx \
		samples/backfill/marketing_spend/*.xlsx
	$(PY) -m samples.servers -- $(STRATA) run
	$(STRATA) query "select * from analytics.daily_revenue \
		where order_date >= date '2026-11-01' order by 1, 2"
	@echo ""
	@echo "The site (dashboards, data docs) is in lake/site/: open it with"
	@echo "  $(STRATA) site serve     # then http://127.0.0.1:8000/"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

validate: setup
	$(STRATA) validate
	$(STRATA) docs --check
	$(STRATA) template --check

# Two workers or more (pytest-xdist, one per core): the pipeline tests spend most of their time
# in one process each, so the suite takes about half as long on CI's two cores. A file's tests
# stay on one worker (--dist loadfile), so a module's expensive fixture is built once.
unit: setup setup-datascience
	$(PY) -m pytest -n auto --dist loadfile

test: lint validate infra-check browser unit

docs: setup
	$(STRATA) docs

clean-lake:
	rm -rf lake

clean: clean-lake
	rm -rf $(VENV) .tools node_modules .pytest_cache .ruff_cache

include mk/infra.mk
include mk/pipeline-bench.mk
include mk/bench.mk
include mk/site.mk
include mk/docs.mk
include mk/sources.mk

bench: bench-incremental bench-read bench-models

# The infrastructure checks run tools/*.py with the project's venv (they import strata).
validate-asl check-package-size: setup
include mk/dbt.mk
include mk/duckdb1.mk
include mk/consumers.mk
include mk/models.mk
