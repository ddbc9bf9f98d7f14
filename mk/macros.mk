# Macros: the compile benchmark of a generated 300-model project that calls macros.
# Included by the top-level Makefile.

.PHONY: bench-macros

# 300 models calling user macros and dbt's built-ins, 250 custom generic tests, 20 unit tests:
# compiled (rendered, ordered, read as Redshift SQL) in < 3 s of CPU (exit 1 if not).
bench-macros: setup
	$(PY) bench/macros.py --models 300 --repeat 3

bench: bench-macros
