# govwatch — the two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint install sysdeps bench clean train-typos eval-typos

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

# The typo model (analysis/text/data/typos.bin) from the text corpus in ../shared; not part
# of `make test`, which uses the committed model file.
TEXT_DATA ?= ../shared/data/text

train-typos: $(STAMP)
	@if [ ! -f $(TEXT_DATA)/train.jsonl.gz ]; then \
	  echo "train-typos: $(TEXT_DATA)/train.jsonl.gz not found (the text corpus lives in ../shared/data/text); nothing trained" >&2; exit 2; fi
	$(PY) -m analysis.text.train_typos --data $(TEXT_DATA)

eval-typos: $(STAMP)
	@if [ ! -f $(TEXT_DATA)/dev.jsonl ]; then \
	  echo "eval-typos: $(TEXT_DATA)/dev.jsonl not found (the text corpus lives in ../shared/data/text); nothing measured" >&2; exit 2; fi
	$(PY) -m analysis.text.typos --eval $(TEXT_DATA)/dev.jsonl

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) data/demo reports
