# Changing a model safely, at scale: state:modified+ over 300 generated models (< 1 s) and a
# diff of a 1M-row model in the local warehouse (< 5 s). Included by the top-level Makefile;
# its inputs live in bench/out/models/ (git-ignored). Never part of `make test`.

.PHONY: bench-models

bench-models: setup ## state:modified+ on 300 models, diff of a 1M-row model
	$(PY) bench/models.py --models 300 --rows 1000000 --out bench/out/models
