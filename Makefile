# LSTM from scratch, derived and verified.
#   make course   set up .venv, execute every lesson from a fresh kernel (one line each), then
#                 build the course site in build/site/ (works offline: open build/site/index.html)
#   make test     set up .venv, run every test (package, repository, nbval on every notebook, the
#                 site in a browser: Chromium, skipped with the reason where none is installed)
#   make lab      open JupyterLab on notebooks/
#   make verify   prove the whole SymPy catalogue and print its table
#   make notebooks  re-execute the committed notebooks in place (after changing them or the package)
#   make model    retrain the shipped model from scratch on every play (15 minutes at most)
#                 into checkpoints/canon.npz (never over the shipped models/)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# one BLAS thread: deterministic, and safe on a shared two-core machine
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: course test lab verify notebooks model clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test,notebooks,site]"
	touch $(STAMP)

course: $(STAMP)
	$(PY) -m lstm_course course --out build

test: $(STAMP)
	$(PY) -m pytest

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

verify: $(STAMP)
	$(PY) -m lstm_course verify

notebooks: $(STAMP)
	$(PY) -m lstm_course course --in-place

model: $(STAMP)
	$(PY) -m lstm_course train --text canon --layers 2 --hidden-size 256 --dropout 0.2 --checkpoint checkpoints/canon.npz --seed 0 --max-minutes 14.5 --force

clean:
	rm -rf build
