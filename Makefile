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

.PHONY: help setup setup-test run test test-faults pytest lint typecheck fmt migrate demo bench bench-quick clean css screenshots bench-web

help:
	@echo "make run    - install what is missing, migrate, load demo data, serve :8000 with a worker"
	@echo "make dev    - the same, served by Django's development server with autoreload"
	@echo "make test   - the same set-up, then lint, checks and the whole test suite"
	@echo "make test-faults - kill and restart Redis, PostgreSQL, workers, Twilio (docs/RELIABILITY.md)"
	@echo "make typecheck - mypy over the apps (strict on people/ and notifications/)"
	@echo "make bench  - benchmarks (see bench/README.md); make bench-quick for a small scale"
	@echo "make css    - rebuild the web front end's CSS from web/scss (npm; never at run time)"
	@echo "make screenshots - a phone-sized PNG of every web page into docs/screenshots/"

setup:
	@bash scripts/setup.sh

# Tests also drive a real browser: Debian's chromium and fonts, installed only for them.
setup-test:
	@bash scripts/setup.sh --with-browser

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

test: setup-test
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

# Rebuild web/static/web/blether.css from web/scss and re-vendor htmx and (for tests) axe-core,
# at the versions pinned in web/package-lock.json. The results are committed.
css:
	cd web && npm ci --no-audit --no-fund --ignore-scripts
	web/node_modules/.bin/sass --no-source-map --style=compressed --load-path=web/node_modules \
		--quiet-deps web/scss/blether.scss web/static/web/blether.css
	cp web/node_modules/htmx.org/dist/htmx.min.js web/static/web/htmx.min.js
	mkdir -p tests/web/vendor && cp web/node_modules/axe-core/axe.min.js tests/web/vendor/axe.min.js

screenshots: setup-test
	SCREENSHOTS_DIR=docs/screenshots $(TEST_ENV) $(PY) -m pytest tests/web/browser/test_screenshots.py -q

# Each web page's first-load weight and the server time of "Meals near me" (bench/RESULTS.md).
bench-web: setup-test
	$(TEST_ENV) $(PY) bench/web_weight.py $(BENCH_ARGS)

bench: setup
	$(RUN_ENV) $(PY) bench/run.py $(BENCH_ARGS)

bench-quick: setup
	$(RUN_ENV) $(PY) bench/run.py --scale 0.01 $(BENCH_ARGS)

clean:
	rm -rf .venv staticfiles .pytest_cache .ruff_cache .mypy_cache
