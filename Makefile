# Two commands from a fresh clone: `make site` builds the site, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP_BUILD := $(VENV)/.stamp-build
# pip quiet, and setuptools' notice on every editable install ("Editable installation... be careful with folders...")
# silenced by its own words: an install says nothing unless something is wrong.
PIP    := PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip
STAMP_TEST  := $(VENV)/.stamp-test

NODE_STAMP  := node_modules/.stamp
SYSTEM_STAMP := $(VENV)/.stamp-system
# Chromium: browser tests; poppler-utils: PDF checks; Pango/HarfBuzz/fontconfig + Liberation fonts: WeasyPrint's PDF.
APT_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-liberation
# nginx: the deploy snippet test checks docs/deploy/nginx.conf with `nginx -t`, then serves the built site with it on 127.0.0.1.
APT_PACKAGES += nginx
# PostgreSQL: the receiver's tests start their own cluster from Debian's server package (issue 15).
APT_PACKAGES += postgresql

.PHONY: site check build serve test clean pdf bench bench-phone receiver

$(PY):
	@echo "Making the Python environment ($(VENV)/)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --quiet --upgrade pip

$(STAMP_BUILD): pyproject.toml | $(PY)
	@echo "Installing the build's Python packages (pinned in pyproject.toml; the first time takes a few minutes)"
	@$(PIP) install --quiet -e ".[build,pdf]"
	@touch $@

$(STAMP_TEST): pyproject.toml $(STAMP_BUILD)
	$(PIP) install --quiet -e ".[build,test,pdf]"
	$(PIP) install --quiet -e ".[receiver]"   # the acknowledgement receiver and its tests (issue 15)
	touch $@

$(NODE_STAMP): package.json package-lock.json   # the pinned Pyodide runtime (and, for tests, axe-core)
	@echo "Installing the pinned npm packages (package-lock.json)"
	@npm ci --no-audit --no-fund --loglevel=error >/dev/null   # its errors still show (stderr)
	@touch $@

# Debian packages the tests use (Debian's Chromium for the browser tests: Playwright's own download cannot work here).
$(SYSTEM_STAMP): Makefile | $(PY)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

site: $(STAMP_BUILD) $(NODE_STAMP) $(SYSTEM_STAMP)   ## install what the build needs, then build site/ (PDFs included)
	@$(PY) -m build_scripts build
	@$(PY) -m build_scripts calculator-data --quiet

pdf: $(STAMP_BUILD) $(SYSTEM_STAMP)   ## only the printable handbook, one PDF per language, into build/pdf/
	$(PY) -m build_scripts pdf --out build/pdf

check: $(STAMP_BUILD)         ## validate handbook/ and print the consistency report
	@$(PY) -m build_scripts check

serve: $(STAMP_BUILD) $(NODE_STAMP) $(SYSTEM_STAMP)  ## build, then preview at http://127.0.0.1:8000 (rebuilds on change)
	@$(PY) -m build_scripts serve

test: $(STAMP_TEST) $(NODE_STAMP) $(SYSTEM_STAMP)  ## install what the tests need, then run them
	$(PY) -m pytest

BENCH_STAMP := bench/node_modules/.stamp
$(BENCH_STAMP): bench/package.json bench/package-lock.json   # Lighthouse, for the benchmark only
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	touch $@

bench: $(STAMP_TEST) $(NODE_STAMP) $(SYSTEM_STAMP) $(BENCH_STAMP)  ## measure calculator start-up, one lookup, text-page bytes, PDFs, Lighthouse (bench/results/latest.json)
	$(PY) -m bench

# The acknowledgement receiver on SQLite under var/ (git-ignored) at 127.0.0.1:8001, answering CORS for the preview,
# for the editions the built site/ publishes (`make site` first); plain HTTP on loopback, hence --insecure-cookies.
# Staff account: RECEIVER_STAFF=name RECEIVER_PASSWORD=... make receiver (created or updated before it starts).
# Preview's form posting to it: ACKNOWLEDGEMENT_ENDPOINT=http://127.0.0.1:8001/api/acknowledgements make serve
RECEIVER_DB ?= sqlite:///var/receiver.sqlite3
STAMP_RECEIVER := $(VENV)/.stamp-receiver
$(STAMP_RECEIVER): pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[receiver]"
	touch $@

receiver: $(STAMP_RECEIVER)  ## run the acknowledgement receiver at http://127.0.0.1:8001 (staff pages: /staff/)
	@mkdir -p var && chmod 700 var
	@if [ -n "$$RECEIVER_STAFF" ]; then printf '%s\n' "$$RECEIVER_PASSWORD" | \
	  $(PY) -m receiver add-staff "$$RECEIVER_STAFF" --database $(RECEIVER_DB) --password-stdin; fi
	$(PY) -m receiver serve --database $(RECEIVER_DB) --host 127.0.0.1 --port 8001 --insecure-cookies --site site \
	  --allow-origin http://127.0.0.1:8000 --allow-origin http://localhost:8000

clean:
	rm -rf site build

# issue 13: only the phone-link part of the benchmark (a few minutes; `make bench` runs it too)
bench-phone: $(STAMP_TEST) $(NODE_STAMP) $(SYSTEM_STAMP)
	$(PY) -m bench --phone-only $(BENCH_ARGS)
