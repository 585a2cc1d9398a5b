# Two commands: `make up` starts Nubes and deploys the examples, `make test` runs every test.
# Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 4566

.PHONY: up test lint typecheck unit bench bench-s3 bench-lambda bench-dynamodb bench-events bench-http docs clean

$(STAMP): pyproject.toml
	sh scripts/ensure-python.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

up: $(STAMP)
	$(BIN)/python -m nubes.examples_deploy up --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile

unit: $(STAMP)
	$(BIN)/python -m pytest -m 'not slow'

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: bench-s3 bench-lambda bench-dynamodb bench-events bench-http

bench-s3: $(STAMP)
	$(BIN)/python benchmarks/s3.py

bench-lambda: $(STAMP)
	$(BIN)/python benchmarks/lambda.py
	$(BIN)/python benchmarks/lambda_runtime.py

bench-dynamodb: $(STAMP)
	$(BIN)/python benchmarks/dynamodb.py

bench-events: $(STAMP)
	$(BIN)/python benchmarks/events.py

bench-http: $(STAMP)
	$(BIN)/python benchmarks/http.py

docs: $(STAMP)
	$(BIN)/python -m nubes.coverage

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
