# IPS Portal: the everyday commands. `make help` lists them.
#
# Needs only Python 3.11+ (with its venv module) and GNU make. Every target that runs Python
# builds the virtual environment in .venv first, from the hash-pinned requirements.lock.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstalled only when requirements.lock is newer than this stamp.
STAMP := $(VENV)/.requirements.lock.stamp

# `make run` serves here; the Procfile reads IPS_PORT.
IPS_PORT ?= 8000
export IPS_PORT
# Pass extra pytest arguments: make test PYTEST_ARGS="-k outcomes -x"
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per CPU core by default; 0 runs the tests in this
# process. Benchmarks always run in one process (timings taken side by side mean nothing).
PYTEST_WORKERS ?= auto

# The venv's tools come first for every recipe (honcho, celery, ruff, pytest).
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1
# honcho shows each process's lines as they come, not when a buffer fills.
export PYTHONUNBUFFERED := 1

.PHONY: help venv run demo test lint format lock check clean distclean

help: ## List the commands
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "IPS Portal needs Python 3.11 or newer ($(PYTHON) is $$($(PYTHON) -V 2>&1))." >&2; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null \
		|| { echo "$(PYTHON) has no venv module: on Debian/Ubuntu, apt-get install python3-venv" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--require-hashes --no-deps -r requirements.lock
	@touch $@

venv: $(STAMP) ## Create .venv and install requirements.lock (only when it changed)

run: venv ## Run the portal locally: web on 127.0.0.1:8000, Celery worker and beat
	@# Mail lands in var/mail/ as files, readable after the fact (invitations, resets).
	@export EMAIL_URL="$${EMAIL_URL:-filemail://}"; \
	$(BIN)/python manage.py migrate --noinput; \
	$(BIN)/python manage.py load_demo --if-empty; \
	echo; \
	echo "IPS Portal: http://127.0.0.1:$(IPS_PORT)/  (sign in with a demo login above)"; \
	echo "API docs:   http://127.0.0.1:$(IPS_PORT)/api/docs/"; \
	case "$$EMAIL_URL" in filemail://*) echo "Mail sent by the portal: $${IPS_VAR_DIR:-var}/mail/";; esac; \
	echo "Stop with Ctrl-C."; \
	echo; \
	exec $(BIN)/honcho -f Procfile.dev start

demo: venv ## Load (or top up) the demo collaboratives and users, and print the logins
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

test: venv ## Run the whole test suite in parallel (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	@# Tests that start a Celery worker use the filesystem broker when REDIS_URL is unset:
	@# keep it apart from the one `make run` uses, and start it empty.
	@if [ -z "$${IPS_VAR_DIR:-}" ]; then rm -rf var/test; export IPS_VAR_DIR="$(CURDIR)/var/test"; fi; \
	$(BIN)/pytest -n $(if $(findstring --benchmark,$(PYTEST_ARGS)),0,$(PYTEST_WORKERS)) $(PYTEST_ARGS)

lint: venv ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv ## Format the code and apply ruff's safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: venv ## Django's system checks and a check for missing migrations
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

lock: | $(BIN)/python ## Regenerate requirements.lock from pyproject.toml (uses uv)
	@[ -x $(BIN)/uv ] || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 -o requirements.lock >/dev/null
	@echo "requirements.lock updated; the next make target reinstalls .venv from it."

clean: ## Remove local data (var/: database, broker, mail, media), collected static files, caches
	rm -rf var staticfiles test-results .pytest_cache .ruff_cache .benchmarks
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)
