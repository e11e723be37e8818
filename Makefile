# Two commands on a fresh machine: `make run` and `make test` (see README.md).

# Django 6.1 needs Python 3.12 or newer: try the usual names, then pyenv's
# installs, and keep the first that really runs and is new enough.
PYTHON ?= $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 python3.14 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
# localhost rather than 127.0.0.1: the address runserver prints is the one people open, and
# passkeys need a secure context (http://localhost is one) and a name, never an IP address.
HOST ?= localhost
PORT ?= 8000
# The address e-mailed links point at: where `make run` serves (the worker sends the mail,
# so every process is told). Set it to the machine's address with HOST=0.0.0.0.
PORTAL_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=
# Test processes in parallel (pytest-xdist): one more than the cores, because a browser test's
# process mostly waits while Chromium works (docs/testing.md); TEST_WORKERS=0 runs them in one.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$((n + 1)))
# The browser tests drive Debian's Chromium headless shell (tests/browser/conftest.py reads
# CHROMIUM_PATH): the same Chromium without the desktop browser around it, which Playwright itself
# uses for headless runs; the browser tests take about two thirds of the CPU time they took in the
# full browser (docs/testing.md). The package installs it here, with a wrapper script in /usr/bin.
CHROMIUM_DEBIAN := /usr/lib/chromium/chromium-headless-shell
CHROMIUM_PATH ?= $(CHROMIUM_DEBIAN)
export CHROMIUM_PATH

.PHONY: run test install install-test assets chromium haproxy lint check clean

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

# The checkers the tests run but the site never serves, in a folder of their own so that `make run`
# installs none of them: the Nu HTML Checker (npm's vnu-jar; tests/browser/test_every_page.py).
# Without vnu-jar's install script, which downloads a Java runtime where it finds none: the tests
# use the system's Java (Debian's default-jre-headless, installed by .ci/run) and skip the Nu
# check where there is none.
tests/tools/node_modules/.installed: tests/tools/package.json tests/tools/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js and npm are required for the test tools." >&2; exit 1; }
	npm ci --prefix tests/tools --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's chromium-headless-shell when it is missing, as .ci/run does: as root with apt-get; anywhere else
# stop at once with the one command to run (the browser tests are never skipped).
chromium:
	@test -x "$(CHROMIUM_PATH)" && exit 0; \
	if [ "$(CHROMIUM_PATH)" = "$(CHROMIUM_DEBIAN)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's Chromium headless shell for the browser tests (apt-get install chromium-headless-shell)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null; \
	fi; \
	test -x "$(CHROMIUM_PATH)" || { echo "The browser tests need Chromium at $(CHROMIUM_PATH): run 'sudo apt-get install chromium-headless-shell' (or set CHROMIUM_PATH to a Chromium binary), then make test again." >&2; exit 1; }

# Debian's haproxy for tests/test_deploy_configs.py (haproxy -c on deploy/haproxy.cfg), installed the
# same way; never started as a service here.
haproxy:
	@PATH="$$PATH:/usr/sbin:/sbin"; command -v haproxy >/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's haproxy for the deploy config check (apt-get install haproxy)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null; \
	fi; \
	command -v haproxy >/dev/null || { echo "The deploy config check needs haproxy: run 'sudo apt-get install haproxy', then make test again." >&2; exit 1; }

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed tests/tools/node_modules/.installed
assets: node_modules/.installed

# The web server, a task worker and the scheduler, stopped together by Ctrl-C (Procfile.dev).
run: install assets
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	PATH="$(abspath $(BIN)):$$PATH" HOST=$(HOST) PORTAL_URL=$(PORTAL_URL) $(BIN)/honcho --no-colour -f Procfile.dev start -p $(PORT)

# With bytecode written (__pycache__, ignored by git) even where PYTHONDONTWRITEBYTECODE is set:
# otherwise every test process, and every worker or scheduler process the task tests start,
# compiles the project and pytest rewrites every test module again (about 3 s of CPU each).
test: install-test assets chromium haproxy
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-test assets
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# Everything CI checks except the PostgreSQL run: lint, migrations, deploy check, tests.
check: lint test
	DJANGO_SETTINGS_MODULE=qpp_registration.settings.production SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-value-0123456789 \
		ALLOWED_HOSTS=qpp.example.gov $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules tests/tools/node_modules staticfiles .pytest_cache
