VENV ?= .venv
PY := $(VENV)/bin/python
# Touched after a complete install: the install step is skipped while it is
# newer than pyproject.toml.
INSTALLED := $(VENV)/.installed

.PHONY: install run check test lint typecheck bench-quality

# The two commands of the quick start: `make run` and `make check`.

# Build the seeds folder, then serve the feeds and print the landing page's URL.
run: $(INSTALLED)
	$(VENV)/bin/digest build
	$(VENV)/bin/digest serve

# Every check: the test suite, the linter, the type checker.
check: test lint typecheck

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@./scripts/make-venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

test: $(INSTALLED)
	$(PY) -m pytest -q

lint: $(INSTALLED)
	$(VENV)/bin/ruff check digest tests bench
	$(VENV)/bin/ruff format --check digest tests bench

typecheck: $(INSTALLED)
	$(VENV)/bin/mypy

bench-quality: $(INSTALLED)
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/quality.py
