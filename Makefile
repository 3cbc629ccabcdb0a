# Concierge: `make run` sets everything up and serves the portal; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
# A Python >= 3.12: python3 if it is new enough, else python3.13/python3.12, else pyenv's newest.
PYTHON ?= $(shell for p in python3 python3.14 python3.13 python3.12 $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V -r); do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$p; break; fi; done)
HOST ?= 127.0.0.1
PORT ?= 8000
export CONCIERGE_ALLOWED_HOSTS ?= 127.0.0.1,localhost

.PHONY: help install run serve demo test test-fast lint bench messages catalog-export check-deploy clean

help:
	@echo "make run      set up everything and serve http://$(HOST):$(PORT) with demo data"
	@echo "make test     run the whole test suite (lint, unit, browser)"
	@echo "make bench    measure throughput and latency against the bare-Django floor"
	@echo "make messages update and compile the translation catalogs"

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "Concierge needs Python 3.12 or newer. Install it (e.g. 'apt-get install python3.12'," \
		     "'brew install python@3.13' or 'pyenv install 3.13') and run make again."; exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --no-input --verbosity 0

run: demo
	@echo "Concierge runs on http://$(HOST):$(PORT)/ (demo accounts are listed on the sign-in page)"
	PATH="$(abspath $(VENV))/bin:$$PATH" CONCIERGE_DEMO=true HOST=$(HOST) PORT=$(PORT) honcho -f Procfile start

serve: run

test: install
	$(VENV)/bin/ruff check src tests bench
	$(PY) manage.py makemigrations --check --dry-run --verbosity 0
	$(VENV)/bin/pytest

test-fast: install
	$(VENV)/bin/pytest -m "not browser"

lint: install
	$(VENV)/bin/ruff check src tests bench

bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get install -y -qq wrk >/dev/null; } || echo "wrk is not installed: the bench uses its Python load generator"
	$(PY) bench/run.py

messages: install
	cd src/concierge && ../../$(PY) ../../manage.py makemessages -l de --no-obsolete --no-location --no-wrap \
		--ignore 'static/*' && ../../$(PY) ../../manage.py compilemessages -l de

catalog-export: install
	$(PY) manage.py catalog_export -o catalog.yaml

check-deploy: install
	CONCIERGE_HTTPS=true CONCIERGE_SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n=+/')x \
		CONCIERGE_ALLOWED_HOSTS=concierge.example.com EMAIL_HOST=smtp.example.com \
		$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/static
