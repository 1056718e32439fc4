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

.PHONY: app serve test check lint chromium debian-test replicas replicas-stop slides notes static bench \
	clean help

help:
	@echo "make app    - set up and serve the student app on http://$(HOST):$(PORT)/"
	@echo "              (CLASS_LANG=nn: a class that opens the lessons in nynorsk)"
	@echo "              (MAX_PER_CLIENT=, MAX_KERNELS=, KERNEL_MEMORY_MB=, TRUSTED_PROXY=, ALLOWED_HOSTS=)"
	@echo "              (LOG_IP=1: log every request with the client's address; off by default)"
	@echo "              (KERNEL_LAUNCHER=local-provisioner: kernels started as programs, not forked)"
	@echo "              prints the teacher page's address (key random, or TEACHER_KEY=)"
	@echo "make test   - set up and run every test (installs Debian's chromium if missing)"
	@echo "make check  - validate all content; print every problem"
	@echo "make notes  - build the facilitator notes with answer keys into build/notes/"
	@echo "make slides - every lesson as offline 16:9 slides and PDF in build/slides/, handouts in build/handouts/"
	@echo "make static - the serverless copy in build/static/ (open index.html, host it anywhere)"
	@echo "              and SCORM 1.2 packages for an LMS in build/scorm/<lang>.zip"
	@echo "make bench  - a class of 30 opening lesson 02 at once, against stock Voila,"
	@echo "              and the same class on 2 replicas behind HAProxy"
	@echo "              (BENCH_LANG=nn: the class opens it in nynorsk)"
	@echo "              (BENCH_ARGS=--static-only: only the serverless copy's row, make static)"
	@echo "make replicas REPLICAS=N - N app processes on PORT+1..PORT+N behind HAProxy on PORT"
	@echo "              (sticky cookie, health checks; Ctrl+C or make replicas-stop stops all)"

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
# LOG_IP=1: log every request with the client's address (off: the log holds no address).
LOG_IP ?=
LIMITS_ENV = $(if $(MAX_PER_CLIENT),AWARENESS_MAX_PER_CLIENT=$(MAX_PER_CLIENT)) \
	$(if $(MAX_KERNELS),AWARENESS_MAX_KERNELS=$(MAX_KERNELS)) \
	$(if $(KERNEL_MEMORY_MB),AWARENESS_KERNEL_MEMORY_MB=$(KERNEL_MEMORY_MB)) \
	$(if $(TRUSTED_PROXY),AWARENESS_TRUSTED_PROXY=$(TRUSTED_PROXY)) \
	$(if $(ALLOWED_HOSTS),AWARENESS_ALLOWED_HOSTS=$(ALLOWED_HOSTS)) \
	$(if $(LOG_IP),AWARENESS_LOG_IP=$(LOG_IP))
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

# Debian's packages, installed when missing in one apt-get call (as root; otherwise a
# message says what to install): $(call debian,package=/path/of/its/program ...).
# Browser tests use Debian's chromium (never a downloaded browser); `make replicas` and
# its tests Debian's haproxy, and redis-server for the replicas' shared state. The emoji
# font: the chat's emoji drawn as on a pupil's phone (not as empty boxes) in the
# screenshots and the fit checks.
define debian
missing=""; \
for pair in $(1); do [ -e "$${pair#*=}" ] || missing="$$missing $${pair%%=*}"; done; \
if [ -z "$$missing" ]; then exit 0; fi; \
if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
  echo "Installing Debian's$$missing (apt-get)..."; \
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
else \
  echo "Needed: Debian's$$missing: run 'sudo apt-get install$$missing'"; exit 1; \
fi
endef
CHROMIUM_PKG = chromium=$(CHROMIUM) fonts-noto-color-emoji=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
HAPROXY_PKG = haproxy=/usr/sbin/haproxy
REDIS_PKG = redis-server=/usr/bin/redis-server

chromium:
	@$(call debian,$(CHROMIUM_PKG))

# Everything the tests need, in one apt-get call.
debian-test:
	@$(call debian,$(CHROMIUM_PKG) $(HAPROXY_PKG) $(REDIS_PKG))

test: $(STAMP) $(NODE_STAMP) debian-test
	$(PY) -m ruff check .
	$(PY) -m awareness check
	$(PY) -m pytest

slides: $(STAMP) $(NODE_STAMP) chromium
	$(PY) -m awareness.slides.export --out build/slides --handouts build/handouts

# BENCH_LANG=nn: the class opens lesson 02 in that language (default: the first in course.yaml);
# the app runs as `make app CLASS_LANG=nn` would.
BENCH_LANG ?=
# BENCH_ARGS=--static-only: only the serverless copy's row (its size, each lesson page
# opened cold from disk in Chromium; bench/results/static.md).
BENCH_ARGS ?=
bench: $(STAMP) $(NODE_STAMP)
	@$(call debian,$(CHROMIUM_PKG) $(HAPROXY_PKG))
	$(PY) bench/classroom.py $(if $(BENCH_LANG),--lang $(BENCH_LANG)) $(BENCH_ARGS)

# Replicas on one machine behind Debian's HAProxy (deploy/replicas.py, deploy/haproxy/):
# REPLICAS app processes on 127.0.0.1:PORT+1..PORT+N (pidfiles build/replicas/<port>.pid),
# the proxy on HOST:PORT. POOL, CLASS_LANG and the caps pass on to each replica as for
# `make app`; caps are per replica. Ctrl+C, or `make replicas-stop` from another shell,
# stops everything it started.
REPLICAS ?= 2
# State the replicas share (the live class mode's classes and totals): REPLICAS_REDIS=1
# also installs and runs Debian's redis-server, memory only, on a socket of its own
# (build/replicas/redis-<PORT>.sock), passed to each replica as AWARENESS_REDIS_URL.
REPLICAS_REDIS ?=
replicas: $(STAMP)
	@$(call debian,$(HAPROXY_PKG) $(if $(REPLICAS_REDIS),$(REDIS_PKG)))
	$(LIMITS_ENV) $(PY) deploy/replicas.py start --replicas $(REPLICAS) --host $(HOST) \
	  --port $(PORT) $(if $(REPLICAS_REDIS),--redis) -- --pool $(POOL) \
	  $(if $(CLASS_LANG),--class-lang $(CLASS_LANG)) $(ARGS)

replicas-stop:
	$(PY) deploy/replicas.py stop

# The serverless copy: plain HTML, CSS and one script, from the same content and renderers
# (awareness/static/); SCORM 1.2 packages of it for itslearning and other LMSs.
static: $(STAMP)
	$(PY) -m awareness static --out build/static --scorm build/scorm

notes: $(STAMP)
	$(PY) -m awareness.notes_build --out build/notes

clean:
	rm -rf build .pytest_cache .ruff_cache
