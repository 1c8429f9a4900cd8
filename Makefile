# Two commands on a fresh machine with Python 3.11+:  make run  |  make test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The runtime alone (what `make run` needs), then the dev extra on top (tests, lint, benchmarks).
RUNTIME_STAMP := $(VENV)/.runtime-stamp
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format bench clean

$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## set up the runtime only, then run the whole pipeline on the bundled sample into ./warehouse
run: $(RUNTIME_STAMP)
	$(BIN)/newsloom run

## set up with the dev tools, then lint and run the test suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q --durations=10

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

## throughput and scale benchmarks (about an hour); writes benchmarks/RESULTS.md
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) warehouse/lake warehouse/releases warehouse/marts warehouse/newsloom.duckdb warehouse/build_stamp.json
