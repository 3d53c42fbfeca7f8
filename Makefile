# Daiban: two commands do all the set-up. Both create and use .venv themselves.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test up unit docs bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## make run: the whole platform in one process on http://127.0.0.1:8000 (in-memory bus and store, demo data)
run: $(STAMP)
	$(BIN)/daiban run

## make up: the five services as separate processes behind one gateway on :8000, over RabbitMQ
up: $(STAMP)
	$(BIN)/daiban up

## make test: every test (unit, services, store conformance, RabbitMQ integration, end-to-end)
test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

## make unit: the fast tests only
unit: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow"

## make docs: regenerate docs/events.md and docs/configuration.md
docs: $(STAMP)
	$(BIN)/daiban docs events
	$(BIN)/daiban docs config

bench: $(STAMP)
	$(BIN)/python bench/relay_throughput.py

clean:
	rm -rf $(VENV) *.egg-info
