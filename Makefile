# Two commands from a fresh clone: `make site` builds the site, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP_BUILD := $(VENV)/.stamp-build
STAMP_TEST  := $(VENV)/.stamp-test

NODE_STAMP  := node_modules/.stamp

.PHONY: site check build serve test clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_BUILD): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[build]"
	touch $@

$(STAMP_TEST): pyproject.toml $(STAMP_BUILD)
	$(PY) -m pip install --quiet -e ".[build,test]"
	touch $@

$(NODE_STAMP): package.json package-lock.json   # the pinned Pyodide runtime (and, for tests, axe-core)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

site: $(STAMP_BUILD) $(NODE_STAMP)   ## install what the build needs, then build site/
	$(PY) -m build_scripts build

check: $(STAMP_BUILD)         ## validate handbook/ and print the consistency report
	$(PY) -m build_scripts check

serve: $(STAMP_BUILD) $(NODE_STAMP)  ## build, then preview at http://127.0.0.1:8000 (rebuilds on change)
	$(PY) -m build_scripts serve

test: $(STAMP_TEST) $(NODE_STAMP)    ## install what the tests need, then run them
	$(PY) -m pytest

clean:
	rm -rf site build
