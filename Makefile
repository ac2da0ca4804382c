# PRM: two commands. `make run` brings the product up; `make test` runs the whole suite.
# Everything installs into .venv from pyproject.toml, pinned by requirements.lock.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format check-deploy check-migrations clean-data help

help:
	@echo "make run    - embedded Postgres + Redis, migrate, demo seed, web + worker + beat"
	@echo "make test   - the whole test suite (real Postgres, Redis and Celery worker)"
	@echo "make lint   - ruff lint and format check"

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m prm.devstack run

test: $(STAMP)
	$(BIN)/python -m prm.devstack test $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: $(STAMP)
	DJANGO_SETTINGS_MODULE=prm.settings.production DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') \
	DATABASE_URL=postgres://prm_app@db/prm REDIS_URL=redis://redis:6379/0 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

check-migrations: $(STAMP)
	$(BIN)/python -m prm.devstack manage makemigrations --check --dry-run

clean-data:
	rm -rf .data
