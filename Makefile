# Two entry points a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,engines]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m demo.run $(if $(PORT),--port $(PORT))

# Tests run in parallel (pytest-xdist). The end-to-end tests mostly wait on crawl and server
# subprocesses, so more workers than cores pays; TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 4

test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# Everything but the end-to-end tests (crawls, servers and browsers in other processes). These
# keep the CPU busy: one worker per core (4 workers took 109 s where 2 took 88 s, on 2 cores).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadgroup -m "not e2e"

lint: $(STAMP)
	$(BIN)/ruff check crawler pipeline archive demo tests benchmarks
	$(BIN)/ruff format --check crawler pipeline archive demo tests benchmarks
	$(BIN)/mypy crawler pipeline archive benchmarks
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) demo-output
