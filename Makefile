# Two commands: `make run` and `make test`. Both install pinned dependencies into .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= 1

.PHONY: install run test dev lint format bench docs clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m compileall -q pipeline schemas
	$(BIN)/python -m pipeline run --raw raw --out outputs

test: $(STAMP)
	$(BIN)/python -m pytest

dev: $(STAMP)
	PIPELINE_RAW_DIR=$(CURDIR)/raw PIPELINE_OUTPUT_DIR=$(CURDIR)/outputs DAGSTER_HOME=$(CURDIR)/.dagster_home \
		sh -c 'mkdir -p .dagster_home && $(BIN)/dagster dev -w workspace.yaml'

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench.run --scale $(SCALE)

docs: $(STAMP)
	$(BIN)/python -m pipeline docs

clean:
	rm -rf outputs/*.parquet outputs/*.duckdb outputs/.cache .dagster_home
