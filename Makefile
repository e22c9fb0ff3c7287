# Congvan — developer and CI commands. GNU make; needs only python3 (3.11+) to start.
#
#   make run     install if needed, migrate, seed the demo tenant if missing, serve on :8000
#   make test    the whole suite in parallel (PYTEST_ARGS="tests/core/storage -x" to narrow)
#   make lint    ruff, ruff format --check, mypy --strict on core/, import contracts, chart check
#   make chart   helm lint + offline renders of the chart (installs the Helm SDK on first use)
#   make bench   the benchmarks in bench/*.py
#   make clean   caches and build output (keeps .venv and the var/ data; distclean drops .venv)

PYTHON       ?= python3
VENV         ?= .venv
BIN          := $(VENV)/bin
STAMP        := $(VENV)/.installed
HOST         ?= 127.0.0.1
PORT         ?= 8000
PYTEST_WORKERS ?= auto
PYTEST_ARGS  ?=
BENCH_ARGS   ?=
PIP_FLAGS    ?= --disable-pip-version-check --progress-bar off
# Helm's Go SDK behind ctypes (no helm binary): lets `make chart` run helm lint and render offline.
HELM_SDK     ?= helm-python-sdk==0.2.2

.DEFAULT_GOAL := help
.PHONY: help install catalogs run serve migrate demo worker test lint chart format bench i18n clean distclean

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

# Re-install only when the dependencies change (or the venv is new).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_FLAGS) --upgrade pip
	$(BIN)/python -m pip install $(PIP_FLAGS) -e ".[test]"
	@touch $@

install: $(STAMP) catalogs ## Create .venv and install Congvan with its test tools (incremental)

# Compiled catalogs (.mo, not committed); a .po newer than its .mo is compiled in memory instead.
catalogs: $(STAMP) ## Compile the UI translation catalogs (core and plugins)
	@for dir in core/locale plugins/*/locale; do \
		[ -d "$$dir" ] || continue; $(BIN)/pybabel compile -f -d "$$dir"; \
	done

# 127.0.0.1 is enough for http://demo.localhost:8000 (browsers resolve *.localhost to loopback);
# HOST=0.0.0.0 exposes the demo, with its well-known passwords, to the network.
run: $(STAMP) catalogs ## Migrate, seed the demo tenant if missing, serve on http://localhost:8000
	$(BIN)/congvan serve --demo --host $(HOST) --port $(PORT)

serve: $(STAMP) ## Serve without seeding (HOST, PORT)
	$(BIN)/congvan serve --host $(HOST) --port $(PORT)

migrate: $(STAMP) ## Apply pending migrations
	$(BIN)/congvan migrate

demo: $(STAMP) ## Seed the demo tenant (idempotent)
	$(BIN)/congvan demo

worker: $(STAMP) ## Run a job worker (needs CONGVAN_BROKER_URL=redis://…)
	$(BIN)/congvan worker

test: $(STAMP) ## Run the test suite (PYTEST_ARGS=…, PYTEST_WORKERS=auto)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Every check runs, so one report shows all problems; any failure fails the target.
lint: $(STAMP) ## ruff, ruff format --check, mypy --strict core, lint-imports, chart check
	@status=0; \
	echo "== ruff check"; $(BIN)/ruff check . || status=1; \
	echo "== ruff format --check"; $(BIN)/ruff format --check . || status=1; \
	echo "== mypy --strict core"; $(BIN)/mypy --strict core || status=1; \
	echo "== lint-imports"; $(BIN)/lint-imports --no-cache || status=1; \
	echo "== helm chart"; $(BIN)/python helm/check_chart.py || status=1; \
	if [ $$status -ne 0 ]; then echo "lint: FAILED"; else echo "lint: OK"; fi; \
	exit $$status

chart: $(STAMP) ## helm lint --strict + offline renders of helm/congvan (installs the Helm SDK once)
	@$(BIN)/python -c 'import helm_python' 2>/dev/null || \
		$(BIN)/python -m pip install $(PIP_FLAGS) "$(HELM_SDK)"
	$(BIN)/python helm/check_chart.py --require-helm

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

i18n: $(STAMP) ## Extract UI strings and update the vi/en catalogs in core/locale
	$(BIN)/pybabel extract -F babel.cfg -k N_ --project=Congvan --copyright-holder="Congvan contributors" -o core/locale/messages.pot .
	$(BIN)/pybabel update -i core/locale/messages.pot -d core/locale

# bench/_*.py are helpers the benchmarks import, not benchmarks.
bench: $(STAMP) ## Run every benchmark in bench/*.py (BENCH_ARGS=…)
	@set -e; found=0; \
	for script in bench/*.py; do \
		[ -e "$$script" ] || continue; \
		case "$$script" in bench/_*) continue;; esac; found=1; \
		echo "== $$script"; $(BIN)/python "$$script" $(BENCH_ARGS); \
	done; \
	if [ $$found -eq 0 ]; then echo "bench: no bench/*.py scripts"; fi

clean: ## Remove caches and build output (keeps .venv and var/)
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .mypy_cache .ruff_cache .import_linter_cache build dist \
		test-artifacts *.egg-info

distclean: clean ## Also remove .venv (the var/ data stays)
	rm -rf $(VENV)
