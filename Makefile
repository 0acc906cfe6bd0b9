# boundary-bot: make run · make test · make bench
# Each target creates .venv on first use and reinstalls when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) >&2
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[all,dev]' >&2
	@touch $(STAMP)

run: $(STAMP)
	@$(PY) -m bot run

test: $(STAMP)
	$(PY) -m ruff check bot adapters tests drills
	$(PY) -m mypy
	$(PY) -m pytest

drill: $(STAMP)
	$(PY) -m drills

bench: $(STAMP)
	$(PY) benchmarks/scheduling.py --backend both
	$(PY) benchmarks/delivery.py
	$(PY) benchmarks/insights.py
	$(PY) benchmarks/screening.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
