# Onboarding sources (`strata sources new`): the inference benchmark.
# Included by the top-level Makefile.

.PHONY: bench-infer

# Inference on a 1 GB CSV sample: reads a bounded prefix only; target < 10 s.
bench-infer: setup
	$(PY) bench/infer.py

bench: bench-infer
