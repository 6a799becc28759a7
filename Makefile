# sitrep developer entry points. `make run` and `make test` are the two README commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run demo test test-unit check bench eval soak broker-up broker-down clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("sitrep needs Python >= 3.11 (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Start the local broker, migrate SQLite, run the worker, feed the samples, show events (Ctrl-C stops).
run: install
	$(BIN)/sitrep demo

## The same, non-interactive: process the samples, print the events, stop, exit 0.
demo: install
	$(BIN)/sitrep demo --once

## The whole suite: unit + integration on a real Kafka broker and a real PostgreSQL started by the tests.
## Two pytest workers (most integration tests wait on brokers and workers more than they compute); each
## starts its own broker and PostgreSQL. PYTEST_ARGS="-n 0" runs everything in one process.
PYTEST_ARGS ?= -n 2 --dist loadfile
test: install
	@rc=0; $(BIN)/python -m pytest -q $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc = 5 ]; then echo "pytest collected no tests: that is a failure" >&2; exit 1; fi; exit $$rc

test-unit: install
	$(BIN)/python -m pytest -q tests/unit $(PYTEST_ARGS)

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/run_all.py

## Classifier scores on the project's authored corpus (tests/data/eval) and, when present, the shared dev set.
DEV_DATA ?= ../shared/data/dev
eval: install
	@for f in tests/data/eval/*.jsonl $(wildcard $(DEV_DATA)/*.jsonl); do $(BIN)/sitrep eval --gold $$f || exit 1; done

soak: install
	SITREP_SOAK=1 $(BIN)/python -m pytest -q tests/reliability -m slow $(PYTEST_ARGS)

broker-up: install
	$(BIN)/sitrep broker up

broker-down: install
	$(BIN)/sitrep broker down

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
