# govwatch — the two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint install sysdeps bench clean train eval

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Headless Chromium and CJK fonts for the browser test of the report (Debian packages).
sysdeps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "install chromium and fonts-noto-cjk for the browser test" >&2; fi; \
	fi

demo: $(STAMP)
	$(PY) -m sandbox.demo

# Two passes: every test on SQLite, then the tests that touch a database (marked `db`) on
# this machine's PostgreSQL (a fresh database per test). The PostgreSQL pass runs whenever the
# server answers and says plainly when it does not (.ci/run starts the server first). Run by
# hand with the server down, GOVWATCH_TEST_DATABASE=postgresql fails each test naming the cause.
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432

test: $(STAMP) sysdeps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q
	@if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h $(PG_HOST) -p $(PG_PORT); then \
	  echo "== PostgreSQL pass: $(PG_HOST):$(PG_PORT) is reachable; running the database tests on it =="; \
	  GOVWATCH_TEST_DATABASE=postgresql $(VENV)/bin/pytest -q -m db; \
	else \
	  echo "== PostgreSQL pass NOT RUN: no PostgreSQL server answers at $(PG_HOST):$(PG_PORT) (pg_isready); start it (see .ci/run) =="; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# The content model and its evaluation read the text corpus in ../shared/data/text (never
# committed): both say so plainly and stop when it is absent. `make test` needs neither.
TEXT_DATA ?= ../shared/data/text

train: $(STAMP)
	@if [ ! -f $(TEXT_DATA)/train.jsonl.gz ]; then \
	  echo "== make train: $(TEXT_DATA)/train.jsonl.gz not found: the text corpus is not here (set TEXT_DATA=...) ==" >&2; exit 2; fi
	$(PY) -m pip install --quiet -e '.[dev,train]'
	$(PY) -m analysis.text.train --data $(TEXT_DATA)

eval: $(STAMP)
	@if [ ! -f $(TEXT_DATA)/dev.jsonl ]; then \
	  echo "== make eval: $(TEXT_DATA)/dev.jsonl not found: the text corpus is not here (set TEXT_DATA=...); nothing evaluated ==" >&2; exit 2; fi
	$(PY) -m analysis.text.evaluate $(TEXT_DATA)/dev.jsonl --floors corpus

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) data/demo reports
