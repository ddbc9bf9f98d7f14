# The consumers' side: the read API's libraries (the extra `datascience`: pandas, pyarrow,
# awswrangler, scikit-learn, matplotlib, nbclient), the example notebooks, the read benchmark.
# Included by the top-level Makefile. `make test` installs the extra: it executes the notebooks.

.PHONY: setup-datascience notebooks bench-read

$(VENV)/.datascience: $(VENV)/.installed pyproject.toml requirements/constraints.txt
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[local,dev,site,datascience]"
	touch $@

setup-datascience: $(VENV)/.datascience

# After `make demo`: run every notebook in notebooks/ on the demo lake (outputs and figures in
# lake/notebooks/; the committed notebooks stay without outputs).
notebooks: setup-datascience
	$(PY) -m strata_read.notebooks

# read() of a 1M-row table against a bare DuckDB .df(); read_cleansed over 100 partitions.
bench-read: setup-datascience
	$(PY) bench/read.py
