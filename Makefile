# Blether: `make run` serves the API with a worker and demo data; `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY := .venv/bin/python
export DATABASE_URL ?= postgis://blether:blether@127.0.0.1:5432/blether
export REDIS_URL ?= redis://127.0.0.1:6379/0

# Development settings; production sets its own (see README, docker-compose.yml).
RUN_ENV := DEBUG=1 SMS_BACKEND=$${SMS_BACKEND:-console}
TEST_ENV := DEBUG=1 SECRET_KEY=test-only-secret-key-of-forty-characters-xx CELERY_TASK_ALWAYS_EAGER=1 SMS_BACKEND=console \
	PUBLIC_BASE_URL=https://blether.test CACHE_KEY_PREFIX=blether-test

.PHONY: help setup run test test-faults pytest lint typecheck fmt migrate demo bench bench-quick clean

help:
	@echo "make run    - install what is missing, migrate, load demo data, serve :8000 with a worker"
	@echo "make dev    - the same, served by Django's development server with autoreload"
	@echo "make test   - the same set-up, then lint, checks and the whole test suite"
	@echo "make test-faults - kill and restart Redis, PostgreSQL, workers, Twilio (docs/RELIABILITY.md)"
	@echo "make typecheck - mypy over the apps (strict on people/ and notifications/)"
	@echo "make bench  - benchmarks (see bench/README.md); make bench-quick for a small scale"

setup:
	@bash scripts/setup.sh

migrate: setup
	$(RUN_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(PY) manage.py load_demo

run: demo
	@bash scripts/run.sh

.PHONY: dev
dev: demo
	@bash scripts/run.sh --dev

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

# mypy as configured in pyproject.toml ([tool.mypy]): the apps, not migrations, tests or bench.
typecheck: setup
	$(PY) -m mypy

fmt: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

test: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PY) -m mypy
	$(TEST_ENV) $(PY) manage.py check --fail-level WARNING
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# The slow fault tests (marked `faults`, left out of make test): they start, kill and restart
# their own servers and print their figures (FIGURES lines) for docs/RELIABILITY.md.
test-faults: setup
	$(TEST_ENV) $(PY) -m pytest -m faults -s $(ARGS)

# Only the test suite, e.g. `make pytest ARGS="tests/venues -x"` (no lint, no set-up).
pytest:
	$(TEST_ENV) $(PY) -m pytest $(ARGS)

bench: setup
	$(RUN_ENV) $(PY) bench/run.py $(BENCH_ARGS)

bench-quick: setup
	$(RUN_ENV) $(PY) bench/run.py --scale 0.01 $(BENCH_ARGS)

clean:
	rm -rf .venv staticfiles .pytest_cache .ruff_cache .mypy_cache
