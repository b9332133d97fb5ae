# Two entry points a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,engines]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m demo.run $(if $(PORT),--port $(PORT))

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check crawler pipeline archive demo tests benchmarks
	$(BIN)/ruff format --check crawler pipeline archive demo tests benchmarks
	$(BIN)/mypy crawler pipeline archive

clean:
	rm -rf $(VENV) demo-output
