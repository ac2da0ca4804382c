# PRM: two commands. `make run` brings the product up; `make test` runs the whole suite.
# Everything installs into .venv from pyproject.toml, pinned by requirements.lock.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format check-deploy check-migrations clean-data help security backup restore messages bench

help:
	@echo "make run    - embedded Postgres + Redis, migrate, demo seed, web + worker + beat"
	@echo "make test   - the whole test suite (real Postgres, Redis and Celery worker), 2 processes"
	@echo "make lint   - ruff lint and format check, import contracts (lint-imports)"

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m prm.devstack run

# Parallel test processes (pytest-xdist; files that start a Celery worker or Chromium stay whole
# on one process, the rest is shared out test by test): two on this
# 2-core machine; PRM_TEST_WORKERS=auto for one per CPU, 0 for a single process. -n in
# PYTEST_ARGS overrides it.
PRM_TEST_WORKERS ?= 2

test: $(STAMP)
	@command -v chromium >/dev/null || command -v "$$PRM_CHROMIUM" >/dev/null || echo "make test: chromium is missing, so the browser journeys in tests/browser will FAIL. Install it: apt-get install -y --no-install-recommends chromium (.ci/run does this)."
	PRM_TEST_WORKERS=$(PRM_TEST_WORKERS) $(BIN)/python -m prm.devstack test $(PYTEST_ARGS)

# Templates: every app's templates/ folder and the project's (djLint settings in pyproject.toml).
TEMPLATE_DIRS := templates $(wildcard */templates)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint $(TEMPLATE_DIRS) --lint
	$(BIN)/djlint $(TEMPLATE_DIRS) --check
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djlint $(TEMPLATE_DIRS) --reformat

check-deploy: $(STAMP)
	DJANGO_SETTINGS_MODULE=prm.settings.production DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') \
	DATABASE_URL=postgres://prm_app@db/prm REDIS_URL=redis://redis:6379/0 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Translation catalogues: collect the marked strings into locale/*/LC_MESSAGES/django.po
# (translate the new entries there), then compile the .mo files, which are committed.
messages: $(STAMP)
	$(BIN)/python -m prm.devstack manage makemessages -l de --no-obsolete --ignore=.venv --ignore=.data --ignore=tests --ignore=docs
	$(BIN)/python -m prm.devstack manage compilemessages --ignore=.venv --ignore=.data

check-migrations: $(STAMP)
	$(BIN)/python -m prm.devstack manage makemigrations --check --dry-run

# bandit reports medium findings and fails on high ones; pip-audit checks requirements.lock
# (and says NOT AUDITED, without failing, when its vulnerability database is unreachable).
SECURITY_DIRS := prm partners dealreg onboarding training mdf analytics imports tenantdata integrations demo \
	accountmap cosell jointplans incentives marketing community locator predict
security: $(STAMP)
	$(BIN)/bandit -q -r $(SECURITY_DIRS) -ll --exit-zero
	$(BIN)/bandit -q -r $(SECURITY_DIRS) -lll
	$(BIN)/python .ci/pip_audit_report.py

# pg_dump / pg_restore of the database (embedded or DATABASE_OWNER_URL); see docs/security.md.
BACKUP ?= .data/backups/prm-$(shell date -u +%Y%m%dT%H%M%SZ).dump
backup: $(STAMP)
	$(BIN)/python -m prm.backup dump $(BACKUP)

restore: $(STAMP)
	@test -n "$(FILE)" || (echo "usage: make restore FILE=.data/backups/<name>.dump" && exit 2)
	$(BIN)/python -m prm.backup restore $(FILE)

# Benchmarks (bench/README.md): a fresh prm_bench database, bench_seed, then every benchmark;
# results in bench/results/<name>-<scale>.json. Misses are reported; a crash fails.
SCALE ?= small
bench: $(STAMP)
	$(BIN)/python -m prm.devstack bench $(SCALE) $(NAMES)

clean-data:
	rm -rf .data
