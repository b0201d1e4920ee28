# trajectflow — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/trajectflow/web/static/vendor
export TRAJECTFLOW_HOME := $(CURDIR)

.PHONY: run test setup assets translations browser db deploy demo serve scheduler lint pytest bench clean

## run: set up everything, migrate, deploy processes/, load demo data and serve on http://127.0.0.1:5000
run: setup
	$(BIN)/trajectflow db upgrade
	$(BIN)/trajectflow deploy
	TRAJECTFLOW_DEMO=1 $(BIN)/trajectflow demo
	TRAJECTFLOW_DEMO=1 $(BIN)/trajectflow serve --with-scheduler

## test: set up and run lint, type checks and the whole suite on SQLite and PostgreSQL
test: setup lint pytest

setup: $(VENV)/.installed assets translations browser

## translations: compile the committed .po catalogues (Dutch, English) to the .mo files Flask-Babel reads
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d src/trajectflow/translations

## browser: Debian's chromium for the Playwright page tests (no browser downloads here), and the DejaVu fonts
## the inzageverzoek PDF is set in
browser:
	@test -x /usr/bin/chromium || DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
	  || (DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-dejavu-core \
	  || (DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-dejavu-core)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed
	sh scripts/vendor-assets.sh $(VENDOR)

db: setup
	$(BIN)/trajectflow db upgrade

deploy: db
	$(BIN)/trajectflow deploy

demo: deploy
	TRAJECTFLOW_DEMO=1 $(BIN)/trajectflow demo

serve: setup
	TRAJECTFLOW_DEMO=1 $(BIN)/trajectflow serve --with-scheduler

scheduler: setup
	$(BIN)/trajectflow scheduler

lint: setup
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/mypy src

pytest: setup
	$(BIN)/python -m pytest --durations=30

## bench: benchmarks with ratios (QUICK=1 for a short run, SCALE=1000000 for query latency at full size);
## results in bench/results/latest.json
bench: setup
	$(BIN)/python -m bench $(if $(QUICK),--quick,) $(if $(SCALE),--scale $(SCALE),)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance .pytest_cache .mypy_cache .ruff_cache
