# The two commands a newcomer needs: `make run` (the whole system on local
# defaults) and `make test` (every test against real Kafka and PostgreSQL).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test unit wipe docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==26.3
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/accordeer run

test: $(STAMP)
	$(BIN)/accordeer stack fetch
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest tests/unit

bench: $(STAMP)
	$(BIN)/accordeer stack fetch
	$(BIN)/python -m benchmarks.intake_throughput

wipe: $(STAMP)
	$(BIN)/accordeer wipe

clean:
	rm -rf $(VENV) .cache
