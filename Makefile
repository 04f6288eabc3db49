# The two commands: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py

.PHONY: run test install migrate demo lint bench bench-reports bench-registrations serve worker beat clean

run: install migrate demo
	@echo "Serving web, worker and scheduler at http://127.0.0.1:8000 (Ctrl-C stops all three)"
	$(BIN)/honcho start -f Procfile

# Two test processes (pytest-xdist); the tests of real services run in one of them, in turn
# (tests/conftest.py). TEST_PROCESSES=0 runs the suite in this process alone.
TEST_PROCESSES ?= 2

test: install
	$(BIN)/ruff check .
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadgroup

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || (echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@mkdir -p var
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_catalog
	$(MANAGE) load_demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(PY) -m bench

# The formal analysis compiled at two scales of synthetic data (DATABASE_URL: PostgreSQL).
bench-reports: install
	$(PY) -m bench reports

# Needs PostgreSQL (DATABASE_URL); 200 concurrent registrations for a 50-seat event.
bench-registrations: install
	$(PY) -m bench registrations

# The Procfile's processes, one at a time (honcho runs all three for `make run`).
serve:
	$(MANAGE) runserver 127.0.0.1:8000
worker:
	$(BIN)/celery -A config worker --loglevel=info --concurrency=2
beat:
	$(BIN)/celery -A config beat --loglevel=info --schedule=var/celerybeat-schedule

clean:
	rm -rf $(VENV) node_modules var
