# One command each: `make demo` runs the main job, `make test` the whole test suite.
# Both build what they need from nothing when it is missing or out of date.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Programs the tests drive for real (nothing stands in for them), and the Debian package of each:
# Chromium for the accessibility checks, LibreOffice for the workbook, Java for the HTML validator,
# poppler-utils for PDF text, word boxes and fonts, npm for the checkers in tools/. Each is checked by
# a command, or by a file where the command is not enough: `soffice` exists without Calc, which then
# cannot open a workbook.
SYSTEM_TOOLS := chromium:chromium /usr/lib/libreoffice/program/libsclo.so:libreoffice-calc-nogui \
  java:default-jre-headless pdftoppm:poppler-utils pdffonts:poppler-utils npm:npm

.PHONY: demo test venv system-tools clean

$(BIN)/thematic: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/thematic

# Installs only what is missing (as root, as on CI and the developers' machines).
system-tools:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  tool="$${pair%%:*}"; package="$${pair#*:}"; \
	  case "$$tool" in /*) test -e "$$tool" ;; *) command -v "$$tool" >/dev/null 2>&1 ;; esac \
	    || case " $$missing " in *" $$package "*) ;; *) missing="$$missing $$package" ;; esac; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# --ignore-scripts: vnu-jar's install script would download Java; the jar itself is in the package.
tools/node_modules/.installed: tools/package.json tools/package-lock.json | system-tools
	cd tools && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

demo: venv
	$(BIN)/thematic demo

# The structure gate first (lint, then strict types: configured in pyproject.toml), then the suite;
# tests/test_architecture.py holds the layers of docs/architecture.md.
test: venv system-tools tools/node_modules/.installed
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache tools/node_modules
