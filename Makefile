# boundary-bot: make run · make test · make bench
# Each target creates .venv on first use and reinstalls when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench clean

LOG := $(VENV)/install.log
# pytest-xdist workers for `make test`: one per core unless given (`make test TEST_WORKERS=0`: all in one process).
TEST_WORKERS ?= auto
PIP := $(PY) -m pip install --disable-pip-version-check --no-input

# Says what it is doing, on stderr (stdout stays the conversation); pip's own output goes to .venv/install.log
# and is shown only if the install fails. A new .venv is made without pip and gets the newest pip from the
# Python that made it (`pip --python`, pip 22.3 and newer): one pip install instead of ensurepip's and then the
# upgrade's. Without such a pip, ensurepip.
$(STAMP): pyproject.toml
	@echo "boundary-bot: setting up .venv (first run, or pyproject.toml changed): this takes about a minute" >&2
	@test -x $(PY) || $(PYTHON) -m venv --without-pip $(VENV) >&2
	@echo "  1/2 updating pip" >&2
	@{ $(PY) -m pip --version && $(PIP) --upgrade pip; } >$(LOG) 2>&1 \
	  || $(PYTHON) -m pip --python $(PY) install --disable-pip-version-check --no-input --upgrade pip >>$(LOG) 2>&1 \
	  || { $(PY) -m ensurepip && $(PIP) --upgrade pip; } >>$(LOG) 2>&1 \
	  || { tail -n 40 $(LOG) >&2; echo "pip failed; the full log is $(LOG)" >&2; exit 1; }
	@echo "  2/2 installing boundary-bot with Discord, Slack and chart support" >&2
	@$(PIP) -e '.[all,dev]' >>$(LOG) 2>&1 || { tail -n 40 $(LOG) >&2; echo "install failed; the full log is $(LOG)" >&2; exit 1; }
	@touch $(STAMP)
	@echo "boundary-bot: ready (install log: $(LOG))" >&2

run: $(STAMP)
	@$(PY) -m bot run

test: $(STAMP)
	$(PY) -m ruff check bot adapters tests drills
	$(PY) -m mypy
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

drill: $(STAMP)
	$(PY) -m drills

bench: $(STAMP)
	$(PY) benchmarks/scheduling.py --backend both
	$(PY) benchmarks/delivery.py
	$(PY) benchmarks/insights.py
	$(PY) benchmarks/screening.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
