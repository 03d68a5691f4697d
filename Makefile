# One command each: `make demo` runs the main job, `make test` the whole test suite.
# Both build the virtual environment from nothing when it is missing or out of date.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test venv clean

$(BIN)/thematic: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/thematic

demo: venv
	$(BIN)/thematic demo

test: venv
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist .pytest_cache
