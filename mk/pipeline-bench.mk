# Pipeline benchmark: incremental cost stays flat as the lake grows (issue: operations).
.PHONY: bench-incremental
bench-incremental: setup
	$(PY) bench/incremental.py --runs 10 --rows 20000 --json bench/out/incremental.json
