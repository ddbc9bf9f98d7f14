# Benchmark: legacy formats at scale (a generated 1 GB XML stock report, fixed-width ERP
# extract and vendor JSON document), converted with their peak memory measured. Included by
# the top-level Makefile; inputs live in bench/out/formats/ (git-ignored). Never part of
# `make test`.

FORMATS_BENCH_MB ?= 1024

.PHONY: bench-formats

bench-formats: setup ## Legacy formats at 1 GB: time and peak memory (bench/out/formats/results.md)
	$(PY) bench/formats.py --size-mb $(FORMATS_BENCH_MB) --out bench/out/formats \
		--report bench/out/formats/results.md
