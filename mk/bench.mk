# Benchmark: raw → cleansed throughput and memory against a bare DuckDB COPY and pandas.
# Included by the top-level Makefile. Writes docs/benchmarks.md; inputs (about 2 GB per size)
# and the pandas virtualenv live in bench/out/ (git-ignored). Never part of `make test`.

BENCH_OUT := bench/out
BENCH_VENV := $(BENCH_OUT)/venv
BENCH_SIZES ?= 256 512 1024
BENCH_REPEAT ?= 2
# The size compared side by side (empty: the largest of BENCH_SIZES).
BENCH_SIDE_SIZE ?=

.PHONY: bench

$(BENCH_VENV)/.installed: bench/requirements.txt
	$(BOOTSTRAP_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements.txt
	touch $@

bench: setup $(BENCH_VENV)/.installed ## Conversion benchmark, written to docs/benchmarks.md
	$(PY) bench/run.py --sizes $(BENCH_SIZES) --repeat $(BENCH_REPEAT) --out $(BENCH_OUT) \
		--pandas-python $(BENCH_VENV)/bin/python --report docs/benchmarks.md \
		$(if $(BENCH_SIDE_SIZE),--side-by-side-size $(BENCH_SIDE_SIZE)) \
		--json $(BENCH_OUT)/conversion.json
