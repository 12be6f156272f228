# nnbook: `make book` builds the HTML book, `make test` runs every test. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.stamp-install
export TQDM_DISABLE := 1
export PYTHONHASHSEED := 0
# pytest: unit tests, then every notebook under nbval in strict mode (two workers, one notebook each).
PYTEST_ARGS ?= -n 2 --dist loadfile -p no:cacheprovider \
	--nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 600

.PHONY: install book test lab execute bench browser-deps clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Debian's chromium for the browser test (tools that download their own browser fail offline).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

book: install
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "The book is in _build/html: open file://$(CURDIR)/_build/html/index.html"

test: install browser-deps
	$(PY) -m pytest $(PYTEST_ARGS) tests chapters

lab: install
	$(VENV)/bin/jupyter lab chapters

execute: install
	$(PY) -m nnbook.book.execute chapters/ko/*.ipynb chapters/en/*.ipynb

bench: install
	$(PY) bench/run_all.py $(if $(THREADS),--threads $(THREADS))

clean:
	rm -rf _build
