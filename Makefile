# One command each: `make demo` runs the main job, `make test` the whole test suite.
# Both build what they need from nothing when it is missing or out of date.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Programs the tests drive for real (nothing stands in for them), and the Debian package of each:
# Chromium for the accessibility checks, LibreOffice for the workbook, Java for the HTML validator,
# poppler-utils for PDF text, word boxes and fonts, npm for the checkers in tools/ and GOV.UK Frontend,
# PostgreSQL for the web workspace's and the SQL import's tests. Each is checked by a command, or by a
# file where the command is not enough: `soffice` exists without Calc, which then cannot open a
# workbook; PostgreSQL's initdb is off PATH, in one folder per major version (a pattern).
SYSTEM_TOOLS := chromium:chromium /usr/lib/libreoffice/program/libsclo.so:libreoffice-calc-nogui \
  java:default-jre-headless pdftoppm:poppler-utils pdffonts:poppler-utils npm:npm \
  /usr/lib/postgresql/*/bin/initdb:postgresql

# GOV.UK Frontend's compiled CSS and JS, copied from npm into the web app's static files (git-ignored).
STATIC := src/thematic/web/static/govuk-frontend
GOVUK_DIST := tools/node_modules/govuk-frontend/dist/govuk

.PHONY: demo serve test venv system-tools static clean

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
	  case "$$tool" in /*) ls -d $$tool >/dev/null 2>&1 ;; *) command -v "$$tool" >/dev/null 2>&1 ;; esac \
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

# Only the stylesheet and the script: everything in the package's assets/ is GOV.UK's own brand (the
# crown and crest images, the icons and the manifest that lists them, the GDS Transport font), which
# only GOV.UK may use. The app sets its font-family to the packaged typeface instead.
$(STATIC)/govuk-frontend.min.css: tools/node_modules/.installed
	rm -rf $(STATIC)
	mkdir -p $(STATIC)
	cp $(GOVUK_DIST)/govuk-frontend.min.js $(GOVUK_DIST)/govuk-frontend.min.css $(STATIC)/

static: $(STATIC)/govuk-frontend.min.css

demo: venv
	$(BIN)/thematic demo

# The demo workspace in the browser: a fresh data folder, demo accounts printed, a production server.
serve: venv static
	$(BIN)/thematic serve --demo

# The structure gate first (lint, then strict types: configured in pyproject.toml), then the suite;
# tests/test_architecture.py holds the layers of docs/architecture.md. THEMATIC_REQUIRE_POSTGRES: the
# PostgreSQL tests fail rather than skip when the server cannot start (tests/postgres_support.py).
test: venv system-tools tools/node_modules/.installed static
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	THEMATIC_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache tools/node_modules $(STATIC)
