# The README's two commands are `make book` and `make test`; everything else is a step of them
# or a maintainer's tool. Each target creates the environment first if it is missing or stale.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Every download is checked against the sha256 hashes the lock records, and only wheels are
# taken (no package's build script runs at install time); `make lock` writes the hashes
PIP_SAFE := --require-hashes --only-binary :all:

.PHONY: book test check data refresh notebooks lock system-deps clean

$(STAMP): requirements.lock requirements-nodeps.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP_SAFE) -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP_SAFE) --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

## make book: the HTML book in _build/html (chapters executed; warnings are errors) and its PDF
## edition, printed by Debian's Chromium
book: $(STAMP) system-deps
	$(BIN)/python -m nkbook.publish.build

## make test: everything CI runs: the book build, then every tier of tests (unit, data, built,
## browser, notebooks: every chapter under nbval, strict), in two workers (pytest-xdist, one file
## per worker at a time). Under CI (CI=true) a test that needs ../shared or the built book fails
## when it is missing, instead of skipping
test: $(STAMP) system-deps book
	$(BIN)/python -m pytest -n 2

## make check: the quick gate before a commit (under a minute): ruff lint and format, the
## import-linter layer contract, and the unit tier of the tests (no ../shared, no built book)
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -m unit -n 2 --dist load tests

## make data: rebuild derived tables from ../shared/data/snapshots, validate, refresh datapackage.json,
## then rewrite the data appendix's pages from it
data: $(STAMP)
	$(BIN)/python -m nkbook.etl
	$(BIN)/python -m nkbook.present.appendix

## make refresh: download the live UN and OFAC lists, check them, show what changed, then store them
## as snapshots and rebuild their tables (offline: says so, changes nothing, exit 75). Its options
## go in REFRESH_ARGS: `make refresh REFRESH_ARGS=--dry-run` reports without writing (not
## `make refresh --dry-run`, which is make's own --dry-run: it prints the command and runs nothing)
refresh: $(STAMP)
	$(BIN)/python -m nkbook.etl.refresh $(REFRESH_ARGS)

## make linkcheck: ask every external address of book/references.bib and of the built book (HEAD,
## then GET) and report it in _build/linkcheck.json; exit 1 if one is broken (offline: says so,
## writes nothing, exit 75)
.PHONY: linkcheck
linkcheck: $(STAMP)
	$(BIN)/python -m nkbook.publish.linkcheck

## make notebooks: re-execute the chapters and store their outputs (after changing data or code)
notebooks: $(STAMP)
	$(BIN)/python -m nkbook.publish.execute

## make lock: re-resolve requirements.in into requirements.lock (each pin with the sha256 hashes of
## its files) and environment.yml
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --no-header --strip-extras --allow-unsafe --generate-hashes --no-emit-find-links \
	  --no-emit-index-url --no-emit-trusted-host --output-file requirements.lock requirements.in
	$(BIN)/python tools/write_environment_yml.py

## system-deps: Debian's Chromium for the PDF edition and the browser tests, and the charts' font
system-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Liberation Sans"; then :; \
	else echo "installing Debian packages: chromium fonts-liberation"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-liberation fontconfig >/dev/null; fi

clean:
	rm -rf _build
