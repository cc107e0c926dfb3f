VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install check test lint typecheck bench-quality

install:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'

# Every check: the test suite, the linter, the type checker.
check: test lint typecheck

test:
	$(PY) -m pytest -q

lint:
	$(VENV)/bin/ruff check digest tests bench
	$(VENV)/bin/ruff format --check digest tests bench

typecheck:
	$(VENV)/bin/mypy

bench-quality:
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/quality.py
