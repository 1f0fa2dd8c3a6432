# The README's two commands are `make book` and `make test`; everything else is a step of them
# or a maintainer's tool. Each target creates the environment first if it is missing or stale.
# The interpreter of a new .venv: make PYTHON=python3.12 ...; by default the first of python3.11,
# python3.12, python3.13 found (tools/venv.sh)
PYTHON ?=
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The book's Jupyter kernel, which every chapter names: the environment's Python, registered in it
KERNEL := $(VENV)/share/jupyter/kernels/nkbook/kernel.json
LAB    := $(VENV)/.lab-installed
# Every download is checked against the sha256 hashes the lock records, and only wheels are
# taken (no package's build script runs at install time); `make lock` writes the hashes
PIP_SAFE := --require-hashes --only-binary :all:

.PHONY: book test check data snapshots refresh notebooks lab lock system-deps clean editions

$(STAMP): requirements.lock requirements-nodeps.txt pyproject.toml
	@test -x $(BIN)/python || bash tools/venv.sh $(VENV) $(PYTHON)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP_SAFE) -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP_SAFE) --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

$(KERNEL): $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name nkbook --display-name "Python 3 (nkbook)" >/dev/null

## make book: the HTML book in _build/html (chapters executed; warnings are errors) and its PDF
## edition, printed by Chromium (nkbook.publish.browser finds it)
book: $(STAMP) $(KERNEL) system-deps
	$(BIN)/python -m nkbook.publish.build

## make test: everything CI runs: the book build and the lab's packages (requirements-lab.lock),
## and every edition (make editions), then every tier of tests (unit, data, built, browser, notebooks: every chapter under nbval,
## strict; env: the lab's server, a throw-away Binder environment), in two workers (pytest-xdist,
## one file per worker at a time). Under CI (CI=true) a test that needs ../shared or the built book fails
## when it is missing, instead of skipping
test: $(STAMP) $(LAB) system-deps book editions
	$(BIN)/python -m pytest -n 2

## make editions: every release listed in releases.json and this build side by side in
## _build/editions/<version>/ (plus latest/ and switcher.json), each page with the edition bar; an
## older release is built from its commit in a worktree under _build/editions-src/ by its own
## make book, once (nkbook.publish.editions)
editions: book
	$(BIN)/python -m nkbook.publish.editions

## make check: the quick gate before a commit (under a minute): ruff lint and format, the
## import-linter layer contract, and the unit tier of the tests (no ../shared, no built book)
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -m unit -n 2 --dist load tests

## make data: rebuild derived tables from ../shared/data/snapshots, validate, refresh datapackage.json,
## then rewrite the data appendix's pages from it, and the page of what changed since the previous
## edition (book/changes.md and book/_changes.json, from that edition's commit in releases.json)
data: $(STAMP)
	$(BIN)/python -m nkbook.etl
	$(BIN)/python -m nkbook.present.appendix
	$(BIN)/python -m nkbook.present.changes

## make snapshots: fetch the raw public files make data reads into ../shared/data/snapshots
## ($$NKBOOK_SHARED/data/snapshots), each checked against the sha256 registry data/snapshots.json;
## present files are left alone. NKBOOK_SNAPSHOTS_BASE_URL fetches them from a mirror instead
## (exit 0 all verified; 1 incomplete; 65 bad download; 75 offline: says so, changes nothing)
snapshots: $(STAMP)
	$(BIN)/python -m nkbook.etl.snapshots

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
notebooks: $(STAMP) $(KERNEL)
	$(BIN)/python -m nkbook.publish.execute

## make lab: JupyterLab in the project's environment (requirements-lab.lock: hash-pinned, and
## constrained by requirements.lock, so no pin of the book changes), opened on the chapters with
## the book's kernel; LAB_ARGS passes options (e.g. LAB_ARGS=--no-browser)
$(LAB): $(STAMP) requirements-lab.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP_SAFE) -r requirements-lab.lock
	@touch $(LAB)

lab: $(LAB) $(KERNEL)
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) book/intro.ipynb

## make lock: re-resolve requirements.in into requirements.lock and requirements-lab.in into
## requirements-lab.lock (each pin with the sha256 hashes of its files), then environment.yml
PIP_COMPILE := $(BIN)/pip-compile --quiet --no-header --strip-extras --allow-unsafe --no-emit-find-links \
  --no-emit-index-url --no-emit-trusted-host
lock: $(STAMP)
	$(PIP_COMPILE) --generate-hashes --output-file requirements.lock requirements.in
	$(PIP_COMPILE) --generate-hashes --output-file requirements-lab.lock requirements-lab.in
	$(BIN)/python tools/write_environment_yml.py

## system-deps: a Chromium for the PDF edition and the browser tests (Debian's package, Ubuntu's
## snap, Playwright's own or NKBOOK_CHROMIUM: see nkbook.publish.browser) and the charts' font;
## installed from Debian's packages when missing and run as root
system-deps: $(STAMP)
	@if $(BIN)/python -m nkbook.publish.browser >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Liberation Sans"; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian packages: chromium fonts-liberation"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-liberation fontconfig >/dev/null; \
	else $(BIN)/python -m nkbook.publish.browser >/dev/null || exit 1; \
	  echo "the charts need the Liberation Sans font: sudo apt-get install fonts-liberation" >&2; exit 1; fi

clean:
	rm -rf _build
