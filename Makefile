# Two commands on a fresh machine: `make run` and `make test` (see README.md).

# Django 6.1 needs Python 3.12 or newer: try the usual names, then pyenv's
# installs, and keep the first that really runs and is new enough.
PYTHON ?= $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 python3.14 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes in parallel (pytest-xdist): one per core; TEST_WORKERS=0 runs them in one.
TEST_WORKERS ?= auto

.PHONY: run test install install-test assets lint check clean

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required; install it and run make again." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# pip >= 25.1 installs PEP 735 dependency groups straight from pyproject.toml.
$(VENV)/.run-installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --group run
	@touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.run-installed
	$(BIN)/python -m pip install --quiet --group test
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js and npm are required for the USWDS assets." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed
assets: node_modules/.installed

# The web server, a task worker and the scheduler, stopped together by Ctrl-C (Procfile.dev).
run: install assets
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	PATH="$(abspath $(BIN)):$$PATH" HOST=$(HOST) $(BIN)/honcho --no-colour -f Procfile.dev start -p $(PORT)

test: install-test assets
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-test assets
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# Everything CI checks except the PostgreSQL run: lint, migrations, deploy check, tests.
check: lint test
	DJANGO_SETTINGS_MODULE=qpp_registration.settings.production SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-value-0123456789 \
		ALLOWED_HOSTS=qpp.example.gov $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache
