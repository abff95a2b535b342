# Chibo: `make run` starts everything on one machine; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := libs/contracts libs/eventsourcing libs/web libs/infra $(wildcard services/*) cli
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck imports pytest infra constraints clean

install: $(STAMP)

$(STAMP): constraints.txt requirements-dev.txt $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps $(foreach p,$(PACKAGES),-e $(p))
	touch $(STAMP)

run: install
	$(BIN)/chibo run

infra:
	bash deploy/scripts/ensure-infra.sh

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy $(foreach p,$(PACKAGES),$(p)/chibo_*)

imports: install
	$(BIN)/lint-imports

pytest: install infra
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

test: install infra lint typecheck imports pytest

constraints: install
	$(BIN)/pip freeze --all --exclude-editable | grep -v '^-e' | grep -v '^chibo' \
	  | sed '1i # Exact versions for every third-party package (regenerate: make constraints).' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
