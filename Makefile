# RoleFit — the README's commands. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3

.PHONY: help install install-dev run migrate criteria test test-fast test-browser lint fmt messages migrations-check bench bench-quick serve loadtest scaleout clean

help:
	@echo "make run          install, migrate, load the default criteria, serve on http://$(HOST):$(PORT)"
	@echo "make test         install the dev extra and run the whole suite (browser tests included)"
	@echo "make test-fast    the suite without the slow and the browser tests (a quick local loop)"
	@echo "make test-browser only the browser tests (Chromium; screenshots in test-artifacts/screenshots/)"
	@echo "make lint / fmt   ruff check + format check + mypy / apply formatting"
	@echo "make messages     extract the translatable strings into locale/\$$LOCALE (default de)"
	@echo "make bench        full benchmarks (docs/benchmarks.md); make bench-quick: under a minute"
	@echo "make serve        production-style: gunicorn + WhiteNoise (README \"Deploying\")"
	@echo "make loadtest     load and PostgreSQL-restart test on loopback (docs/reliability.md)"
	@echo "make scaleout     two app instances behind nginx, PgBouncer, Redis; one dies (docs/reliability.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-redis: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[redis]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

criteria: migrate
	$(BIN)/python manage.py load_default_criteria

run: criteria
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The browser tests (tests/e2e, marker `browser`) drive Chromium: CHROMIUM_PATH, else `chromium`
# on PATH. Without one they are skipped; REQUIRE_BROWSER=1 (CI) makes that a failure. Each run
# writes screenshots of the main pages to test-artifacts/screenshots/ (README "Browser tests").
# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

test: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS)

test-browser: install-dev
	$(BIN)/pytest -m browser

# The quick local loop: everything but the slow tests (marker `slow`) and the browser tests.
test-fast: install-dev
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not slow and not browser"

# mypy with django-stubs over advisor/ and rolefit/ (pyproject.toml [tool.mypy]).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production-style: debug off unless DJANGO_DEBUG says otherwise; needs DJANGO_SECRET_KEY and
# DJANGO_ALLOWED_HOSTS (README "Deploying").
serve: export DJANGO_DEBUG ?= 0
serve: criteria
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	# Recycling workers now and then bounds the slow native-memory growth of PDF rendering; the
	# access log shows /a/…/ instead of the private tokens in paths.
	exec $(BIN)/gunicorn rolefit.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--max-requests 2000 --max-requests-jitter 200 --access-logfile - \
		--logger-class advisor.logs.GunicornLogger

loadtest: install
	$(BIN)/python -m benchmarks.loadtest

# Scale-out rehearsal on loopback (1-2 minutes; root, or sudo for apt-get): installs postgresql,
# pgbouncer, redis-server and nginx when missing, starts a throwaway PostgreSQL, PgBouncer, Redis,
# two gunicorn instances and nginx, kills one instance under load, checks nothing was lost and
# stops everything it started. Options: $(BIN)/python -m benchmarks.scaleout --help.
scaleout: $(VENV)/.installed-redis
	$(BIN)/python -m benchmarks.scaleout

# Full benchmarks into docs/benchmarks.md and docs/benchmarks.json (5-10 minutes): every page
# under gunicorn against /healthz, 100,000 assessments, the PDF. On PostgreSQL when DATABASE_URL
# names one (in a throwaway database beside it), else on SQLite. Uses wrk when installed.
bench: install-dev
	$(BIN)/python -m benchmarks.run

# In-process throughput of the hiring manager's pages relative to /healthz (under a minute).
bench-quick: install
	$(BIN)/python -m benchmarks.quick

# The message catalogue of LOCALE (default: de) in locale/, from the code and the templates;
# needs GNU gettext (Debian: gettext). `compilemessages` turns it into the .mo Django reads.
LOCALE ?= de
messages: install
	$(BIN)/python manage.py makemessages --locale $(LOCALE) --no-wrap --extension html,txt,py \
		--ignore .venv --ignore test-artifacts --ignore staticfiles --ignore benchmarks --ignore tests

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
