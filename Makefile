# The two quick-start commands (README): `make demo` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-only openapi lint

$(BIN)/bluecard: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/bluecard

demo: $(BIN)/bluecard
	$(BIN)/bluecard serve --demo

test: $(BIN)/bluecard
	PATH="$(abspath $(BIN)):$$PATH" $(MAKE) test-only

# The test command itself; set BLUECARD_TEST_DATABASE_URL to run it on PostgreSQL.
test-only:
	python -m pytest -n 2 --dist loadfile

openapi: $(BIN)/bluecard
	$(BIN)/python -m app.openapi
	$(BIN)/python -m app.filing.file_format > schemas/submission.schema.json

lint: $(BIN)/bluecard
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && $(BIN)/lint-imports
