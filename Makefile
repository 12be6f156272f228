# nnbook: `make book` builds the HTML book, `make test` runs every test. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.stamp-install
export TQDM_DISABLE := 1
export PYTHONHASHSEED := 0
# pytest: unit tests and every notebook under nbval in strict mode (two workers, one file at a time, the
# longest first: see conftest.py).
PYTEST_ARGS ?= -n 2 --dist loadfile --no-loadscope-reorder -p no:cacheprovider \
	--nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 600
# "Another CPU" on this one: each variable makes NumPy's or PyTorch's kernels compute other last bits
# (OpenBLAS's Haswell kernels, PyTorch's AVX2 code, MKL's compatible mode, oneDNN's AVX2 convolutions),
# and BLAS/OpenMP on one thread. The committed outputs must pass both ways.
OTHER_CPU := OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=COMPATIBLE ONEDNN_MAX_CPU_ISA=AVX2 \
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
# The Pythons the pinned requirements install on (NumPy 2.4 and SciPy 1.17 need 3.11 or newer).
PY_MIN := 3.11
PY_MAX := 3.13

.PHONY: install check-python book test test-other-cpu lab execute bench browser-deps clean

install: check-python $(STAMP)

check-python:
	@ok=$$($(PYTHON) -c 'import sys; print(int((3, 11) <= sys.version_info[:2] <= (3, 13)))' 2>/dev/null); \
	test "$$ok" = 1 || { found=$$($(PYTHON) --version 2>/dev/null || echo "not found"); \
	echo "nnbook needs Python $(PY_MIN) to $(PY_MAX) (what the pinned requirements install on), but '$(PYTHON)' is $$found; run e.g. 'make PYTHON=python3.11 test'."; exit 1; }

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# A Chromium or Chrome for the browser tests: found, or installed where that is possible (root on
# Debian), or else the browser tests are skipped with one sentence on how to enable them.
browser-deps:
	@$(PY) tests/browser_deps.py

book: install
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	$(PY) -m nnbook.book.sizes
	@echo "The book is in _build/html: open file://$(CURDIR)/_build/html/index.html"

test: install browser-deps
	$(PY) -m pytest $(PYTEST_ARGS) tests chapters

# Every notebook under nbval again, as if on another CPU with one BLAS thread (CI runs it after make test).
test-other-cpu: install
	env $(OTHER_CPU) $(PY) -m pytest $(PYTEST_ARGS) chapters

lab: install
	$(VENV)/bin/jupyter lab chapters

execute: install
	$(PY) -m nnbook.book.execute chapters/ko/*.ipynb chapters/en/*.ipynb

bench: install
	$(PY) bench/run_all.py $(if $(THREADS),--threads $(THREADS))

clean:
	rm -rf _build
