# The two quick-start commands (README): `make demo` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-only openapi lint lock

$(BIN)/bluecard: pyproject.toml requirements-test.lock
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements-test.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(BIN)/bluecard

# `make demo PORT=8123 HOST=0.0.0.0` to serve elsewhere.
PORT ?= 8000
HOST ?= 127.0.0.1
demo: $(BIN)/bluecard
	$(BIN)/bluecard serve --demo --host $(HOST) --port $(PORT)

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

# The lock files, with hashes, after a change of pyproject.toml's dependencies (needs uv):
# requirements.lock for the image, requirements-test.lock for CI and `make test`.
lock:
	uv pip compile pyproject.toml --generate-hashes --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu -q -o requirements.lock
	uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu -q -o requirements-test.lock
