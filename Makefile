# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
I18N := ckanext/datasud_partnership/i18n

.PHONY: demo test install services migrate-test lint format translations

$(STAMP): setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d $(I18N) -D ckanext-datasud_partnership

services:
	bash bin/services.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate-test: install services
	$(BIN)/ckan -c test.ini db upgrade

# Two workers (pytest-xdist), each on its own copy of datasud_test (conftest.py);
# a test file stays on one worker (--dist loadfile: module fixtures load once).
# `make test PYTEST_WORKERS=0` runs the suite in one process.
PYTEST_WORKERS ?= 2

test: lint migrate-test
	$(BIN)/pytest --ckan-ini=test.ini -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile tests

demo: install services
	bash bin/demo.sh
