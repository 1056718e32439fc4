# Two commands for a fresh machine: `make app` (set up and serve the student app) and
# `make test` (set up and run every test). Everything else here is what those need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8866
CHROMIUM ?= /usr/bin/chromium

.PHONY: app serve test check lint chromium slides notes bench clean help

help:
	@echo "make app    - set up and serve the student app on http://$(HOST):$(PORT)/"
	@echo "              (CLASS_LANG=nn: a class that opens the lessons in nynorsk)"
	@echo "              (MAX_PER_CLIENT=, MAX_KERNELS=, KERNEL_MEMORY_MB=, TRUSTED_PROXY=, ALLOWED_HOSTS=)"
	@echo "              (KERNEL_LAUNCHER=local-provisioner: kernels started as programs, not forked)"
	@echo "make test   - set up and run every test (installs Debian's chromium if missing)"
	@echo "make check  - validate all content; print every problem"
	@echo "make notes  - build the facilitator notes with answer keys into build/notes/"
	@echo "make slides - every lesson as offline 16:9 slides and PDF in build/slides/, handouts in build/handouts/"
	@echo "make bench  - a class of 30 opening lesson 02 at once, against stock Voila"
	@echo "              (BENCH_LANG=nn: the class opens it in nynorsk)"

# The virtual environment, rebuilt when pyproject.toml or constraints.txt changes. Every
# package is pinned by constraints.txt, also those pyproject.toml does not name.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is needed: apt-get install python3 python3-venv"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

check: $(STAMP)
	@$(PY) -m awareness check

POOL ?= -1
ARGS ?=
# CLASS_LANG=nn: the class opens the lessons in nynorsk, so its pages get the class pools.
CLASS_LANG ?=
# Caps and limits (README "Security and limits"), passed on as the environment variables a
# container or `make replicas` sets too: make app MAX_PER_CLIENT=30 MAX_KERNELS=60 ...
MAX_PER_CLIENT ?=
MAX_KERNELS ?=
KERNEL_MEMORY_MB ?=
TRUSTED_PROXY ?=
ALLOWED_HOSTS ?=
LIMITS_ENV = $(if $(MAX_PER_CLIENT),AWARENESS_MAX_PER_CLIENT=$(MAX_PER_CLIENT)) \
	$(if $(MAX_KERNELS),AWARENESS_MAX_KERNELS=$(MAX_KERNELS)) \
	$(if $(KERNEL_MEMORY_MB),AWARENESS_KERNEL_MEMORY_MB=$(KERNEL_MEMORY_MB)) \
	$(if $(TRUSTED_PROXY),AWARENESS_TRUSTED_PROXY=$(TRUSTED_PROXY)) \
	$(if $(ALLOWED_HOSTS),AWARENESS_ALLOWED_HOSTS=$(ALLOWED_HOSTS))
# How lesson kernels start: forked from a warm template (awareness-fork, voila.json's
# default) or as programs, jupyter_client's ordinary launcher (local-provisioner).
KERNEL_LAUNCHER ?=
LAUNCHER_ARG = $(if $(KERNEL_LAUNCHER),--KernelProvisionerFactory.default_provisioner_name=$(KERNEL_LAUNCHER))
app: $(STAMP)
	$(LIMITS_ENV) $(PY) -m awareness serve --host $(HOST) --port $(PORT) --pool $(POOL) \
	  $(if $(CLASS_LANG),--class-lang $(CLASS_LANG)) $(LAUNCHER_ARG) $(ARGS)

serve: app

lint: $(STAMP)
	$(PY) -m ruff check .

# Front-end assets (reveal.js and Twemoji's SVGs for the slides, axe-core for accessibility
# tests) from the npm registry.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "npm is needed for the slides: run 'sudo apt-get install npm'"; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests use Debian's chromium (never a downloaded browser).
chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium (apt-get)..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Debian's chromium at $(CHROMIUM): run 'sudo apt-get install chromium'"; \
	  exit 1; \
	fi

test: $(STAMP) $(NODE_STAMP) chromium
	$(PY) -m ruff check .
	$(PY) -m awareness check
	$(PY) -m pytest

slides: $(STAMP) $(NODE_STAMP) chromium
	$(PY) -m awareness.slides.export --out build/slides --handouts build/handouts

# BENCH_LANG=nn: the class opens lesson 02 in that language (default: the first in course.yaml);
# the app runs as `make app CLASS_LANG=nn` would.
BENCH_LANG ?=
bench: $(STAMP) $(NODE_STAMP) chromium
	$(PY) bench/classroom.py $(if $(BENCH_LANG),--lang $(BENCH_LANG))

notes: $(STAMP)
	$(PY) -m awareness.notes_build --out build/notes

clean:
	rm -rf build .pytest_cache .ruff_cache
