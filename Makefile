# Two commands from a fresh clone: `make site` builds the site, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP_BUILD := $(VENV)/.stamp-build
STAMP_TEST  := $(VENV)/.stamp-test

NODE_STAMP  := node_modules/.stamp
SYSTEM_STAMP := $(VENV)/.stamp-system
# Chromium: browser tests; poppler-utils: PDF checks; Pango/HarfBuzz/fontconfig + Liberation fonts: WeasyPrint's PDF.
APT_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-liberation

.PHONY: site check build serve test clean pdf bench bench-phone

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_BUILD): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[build,pdf]"
	touch $@

$(STAMP_TEST): pyproject.toml $(STAMP_BUILD)
	$(PY) -m pip install --quiet -e ".[build,test,pdf]"
	touch $@

$(NODE_STAMP): package.json package-lock.json   # the pinned Pyodide runtime (and, for tests, axe-core)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the tests use (Debian's Chromium for the browser tests: Playwright's own download cannot work here).
$(SYSTEM_STAMP): Makefile | $(PY)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	touch $@

site: $(STAMP_BUILD) $(NODE_STAMP) $(SYSTEM_STAMP)   ## install what the build needs, then build site/ (PDFs included)
	$(PY) -m build_scripts build
	$(PY) -m build_scripts.calculator_data

pdf: $(STAMP_BUILD) $(SYSTEM_STAMP)   ## only the printable handbook, one PDF per language, into build/pdf/
	$(PY) -m build_scripts.pdf --out build/pdf

check: $(STAMP_BUILD)         ## validate handbook/ and print the consistency report
	$(PY) -m build_scripts check

serve: $(STAMP_BUILD) $(NODE_STAMP) $(SYSTEM_STAMP)  ## build, then preview at http://127.0.0.1:8000 (rebuilds on change)
	$(PY) -m build_scripts serve

test: $(STAMP_TEST) $(NODE_STAMP) $(SYSTEM_STAMP)  ## install what the tests need, then run them
	$(PY) -m pytest

BENCH_STAMP := bench/node_modules/.stamp
$(BENCH_STAMP): bench/package.json bench/package-lock.json   # Lighthouse, for the benchmark only
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	touch $@

bench: $(STAMP_TEST) $(NODE_STAMP) $(SYSTEM_STAMP) $(BENCH_STAMP)  ## measure calculator start-up, one lookup, text-page bytes, PDFs, Lighthouse (bench/results/latest.json)
	$(PY) -m bench

clean:
	rm -rf site build

# issue 13: only the phone-link part of the benchmark (a few minutes; `make bench` runs it too)
bench-phone: $(STAMP_TEST) $(NODE_STAMP) $(SYSTEM_STAMP)
	$(PY) -m bench --phone-only $(BENCH_ARGS)
