# kbm-map: run `make` to list the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMPS := .stamps
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
HOST ?= 127.0.0.1
PORT ?= 5000

# Debian packages: SpatiaLite for the embedded database; Pango, HarfBuzz and a font for the
# PDF report (WeasyPrint); Node.js and npm unless already there.
DEB_RUNTIME := libsqlite3-mod-spatialite libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
  fonts-dejavu-core $(if $(shell command -v npm),,nodejs npm)
# Only for the test suite: PostGIS and the browser for the Chromium tests.
DEB_TEST := postgresql-15-postgis-3 chromium

export KBM_INSTANCE_PATH ?= $(CURDIR)/instance
export KBM_TEST_POSTGIS_URL ?= postgresql+psycopg://kbm:kbm@127.0.0.1:5432/kbm_test

help: ## list the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

demo: setup ## set everything up, load the demo region into SpatiaLite and serve it on http://127.0.0.1:5000
	KBM_ENV=development $(BIN)/kbm-map init-db
	KBM_ENV=development $(BIN)/kbm-map demo --reach
	@echo "Serving the demo on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	KBM_ENV=development $(BIN)/kbm-map run --host $(HOST) --port $(PORT)

test: setup setup-test ## set everything up and run the whole suite on SpatiaLite and PostGIS
	KBM_REQUIRE_POSTGIS=1 KBM_REQUIRE_BROWSER=1 $(BIN)/pytest $(PYTEST_ARGS)

setup: $(STAMPS)/system $(STAMPS)/venv $(STAMPS)/assets $(STAMPS)/translations ## install what is missing (Debian packages, venv, Python and front-end packages)

setup-test: $(STAMPS)/system-test postgis

postgis: $(STAMPS)/system-test ## start the local PostgreSQL cluster and create the test database with PostGIS
	@bash .ci/postgis-up

lint: setup ## check style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup ## format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

TRANSLATED := en ar uk tr

translations: $(STAMPS)/venv ## extract UI strings and update the catalogues (kbm_map/translations/*/LC_MESSAGES/messages.po)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project kbm-map --copyright-holder "kbm-map contributors" -o kbm_map/translations/messages.pot .
	@for lang in $(TRANSLATED); do \
	  if [ -f kbm_map/translations/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update -i kbm_map/translations/messages.pot -d kbm_map/translations -l $$lang --no-fuzzy-matching --ignore-obsolete; \
	  else $(BIN)/pybabel -q init -i kbm_map/translations/messages.pot -d kbm_map/translations -l $$lang; fi; \
	done
	$(BIN)/pybabel -q compile -d kbm_map/translations

bench: setup ## run the benchmarks in bench/ (slow; see bench/README.md)
	$(BIN)/python bench/demo_bench.py

clean: ## remove the venv, installed assets and the instance folder
	rm -rf $(VENV) $(STAMPS) node_modules static/vendor instance

$(STAMPS)/system: Makefile
	@bash .ci/debian-packages $(DEB_RUNTIME)
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/system-test: Makefile
	@bash .ci/debian-packages $(DEB_TEST)
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/venv: setup.cfg constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/assets: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@bash .ci/copy-assets
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/translations: $(STAMPS)/venv $(wildcard kbm_map/translations/*/LC_MESSAGES/messages.po)
	@if ls kbm_map/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel -q compile -d kbm_map/translations; fi
	@mkdir -p $(STAMPS) && touch $@

.PHONY: help demo test setup setup-test postgis lint format translations bench clean
