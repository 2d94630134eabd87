# Sillon: every command a developer or CI needs. Works on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WITH_DB := scripts/with-db.sh
SYSTEM_DEPS := scripts/system-deps.sh
# CI starts from an empty test database and runs every hypothesis example; locally the test
# database is reused between runs and hypothesis runs a small profile (tests/conftest.py).
ifdef CI
PYTEST_CI_ARGS := --create-db
export HYPOTHESIS_PROFILE ?= ci
endif
export XDG_RUNTIME_DIR ?= /tmp/sillon-runtime-$(shell id -u)

.PHONY: help install system-deps system-deps-test system-deps-cluster run test test-fast fuzz lint lock format migrate seed bench load backup-drill dataset restart-drill replica-drill pooler-drill failover-drill pitr-drill db-start db-stop clean

help:
	@echo "make run        set up, migrate, load demo data and serve on http://127.0.0.1:8000"
	@echo "make test       set up and run the whole test suite (parallel, browser tests included)"
	@echo "make test-fast  the inner loop: no browser, no slow test"
	@echo "make fuzz       the route fuzzer's long run (FUZZ_EXAMPLES requests per route)"
	@echo "make lint       ruff, layer contract, djlint, makemigrations --check"
	@echo "make lock       recompute requirements.lock (hashes) from pyproject.toml"

# System packages (WeasyPrint's libraries, fonts; Chromium and poppler for the tests): checked
# at every run, installed with apt-get when missing (scripts/system-deps.sh).
system-deps:
	@$(SYSTEM_DEPS) run

system-deps-test:
	@$(SYSTEM_DEPS) test

system-deps-cluster:
	@$(SYSTEM_DEPS) cluster

# Python packages: the exact versions and hashes of requirements.lock (make lock refreshes it
# from the ranges in pyproject.toml).
$(VENV)/.installed: requirements.lock
	@$(SYSTEM_DEPS) run
	@mkdir -p $(XDG_RUNTIME_DIR) && chmod 700 $(XDG_RUNTIME_DIR)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

lock: install
	$(VENV)/bin/pip-compile --quiet --extra dev --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock pyproject.toml

run: install system-deps
	@mkdir -p var/media
	$(WITH_DB) scripts/run.sh

test: install system-deps-test
	$(WITH_DB) $(VENV)/bin/pytest $(PYTEST_CI_ARGS) $(PYTEST_ARGS)

test-fast: install system-deps
	$(WITH_DB) $(VENV)/bin/pytest -m "not browser and not slow and not slow_seed" $(PYTEST_ARGS)

# The route fuzzer's long run (tests/security/test_fuzz_routes.py, docs/security.md §9):
# FUZZ_EXAMPLES hypothesis examples per route (make test sends 2, CI 40).
FUZZ_EXAMPLES ?= 1000
fuzz: install system-deps
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(WITH_DB) $(VENV)/bin/pytest \
	  tests/security/test_fuzz_routes.py --durations=10 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --lint
	$(WITH_DB) $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: install
	$(WITH_DB) $(PY) manage.py migrate --noinput

seed: install
	$(WITH_DB) $(PY) manage.py seed_demo

db-start: install
	@$(PY) scripts/localdb.py start

db-stop:
	@$(PY) scripts/localdb.py stop

clean: db-stop
	rm -rf var/pgdata var/staticfiles

# Translations (French source strings, English catalogue in locale/en): `make messages` adds new
# strings to django.po; translate them (no fuzzy or empty entry), then `make compilemessages`
# and commit both django.po and django.mo (tests/sites/test_i18n.py checks all of that).
.PHONY: messages compilemessages
messages: install
	$(WITH_DB) $(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var --ignore=static/vendor
	@msgfmt --statistics -o /dev/null locale/en/LC_MESSAGES/django.po

compilemessages: install
	$(WITH_DB) $(PY) manage.py compilemessages --ignore=.venv --ignore=var

# Benchmarks and operations (issue 6). Not part of `make test`. dataset, bench and load use
# the database named by SILLON_DB_NAME (the variable scripts/localdb.py reads), default
# `bench`, filled by `make dataset SCALE=national`; `make load` runs on a copy of it.
BENCH_DB_NAME := $(or $(SILLON_DB_NAME),bench)
ifdef BENCH_DB
$(error BENCH_DB is gone: name the benchmark database with SILLON_DB_NAME=$(BENCH_DB))
endif
SCALE ?= national
SEED ?= 42

dataset: install
	SILLON_DB_NAME=$(BENCH_DB_NAME) $(WITH_DB) sh -c '$(PY) manage.py migrate --noinput && \
	  $(PY) manage.py generate_dataset --scale $(SCALE) --seed $(SEED)'

bench: install
	SILLON_DB_NAME=$(BENCH_DB_NAME) $(WITH_DB) $(PY) -m bench.run $(BENCH_ARGS)

load: install
	SILLON_DB_NAME=$(BENCH_DB_NAME) $(WITH_DB) $(PY) -m bench.load $(LOAD_ARGS)

backup-drill: install
	$(WITH_DB) $(PY) -m bench.backup_drill $(DRILL_ARGS)

restart-drill: install
	$(PY) -m bench.restart_drill $(DRILL_ARGS)

# Cluster drills (issue 15, docs/deployment.md §Cluster). Not part of `make test`. Each
# starts its own PostgreSQL nodes on loopback in a temporary folder (the pgserver wheel's
# PostgreSQL 16), with kernel-chosen ports, and removes everything at the end; PgBouncer,
# Patroni and etcd come from `scripts/system-deps.sh cluster`.
replica-drill: install
	$(PY) -m bench.replica_drill $(DRILL_ARGS)

pooler-drill: install system-deps-cluster
	$(PY) -m bench.pooler_drill $(DRILL_ARGS)

failover-drill: install system-deps-cluster
	$(PY) -m bench.failover_drill $(DRILL_ARGS)

pitr-drill: install
	$(PY) -m bench.pitr_drill $(DRILL_ARGS)
