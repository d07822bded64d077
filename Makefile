# The two commands: `make run` (portal on http://127.0.0.1:8000 with demo data) and
# `make test` (the whole suite). Both create .venv on first use.
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Parallel test processes: one per core; `make test JOBS=0` runs in one process.
JOBS ?= auto

.PHONY: venv setup run test lint worker clean

venv:
	@scripts/ensure-venv

setup: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_works

run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(PY) -m pytest -n $(JOBS) $(PYTEST_ARGS)

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

# Celery workers for when REDIS_URL is set (without it tasks run in the web process):
# one for deposits, one for reference matching (scripts/worker).
worker: venv
	scripts/worker

clean:
	rm -rf .venv var
