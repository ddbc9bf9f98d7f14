# Many small files (issue 20): batched conversion and compaction, locally. Prints the small
# files converted per second, the files per partition-day after compaction, and the Lambda
# invocations and state transitions per 1,000 small files for the cost model.
.PHONY: bench-small-files
bench-small-files: setup
	$(PY) bench/small_files.py --files 500 --rows 20
