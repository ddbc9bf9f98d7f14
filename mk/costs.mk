# Cost model: docs/costs.md from the bench's measured figures (bench/out/*.json, written by
# `make bench`; the script's recorded defaults stand in for a figure not measured yet) and
# AWS's published prices (cited in bench/costs.py).
.PHONY: costs
costs: setup ## What Strata costs on AWS per month, written to docs/costs.md
	$(PY) bench/costs.py --bench $(BENCH_OUT) --out docs/costs.md
