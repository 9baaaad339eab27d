# Two commands are all the set-up: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
# The Python checked first: the one in .venv once there is one, else the one to make it.
CHECKED = $(if $(wildcard $(PY)),$(PY),$(PYTHON))

.PHONY: run test soak bench screenshots clean python-version

# Before anything is made: an older Python would leave a .venv that cannot install us.
python-version:
	@found=$$($(CHECKED) -c 'import sys; print("%d.%d" % sys.version_info[:2]); \
		sys.exit(sys.version_info < (3, 11))' 2>/dev/null) || { \
		echo "Python ≥ 3.11 needed, found $${found:-none} ($(CHECKED)): install one," \
			"then PYTHON=python3.11 make … (make clean first if .venv is old)" >&2; exit 1; }

$(PY): | python-version
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(VENV)/bin/adl-sandbox

test: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

soak: $(VENV)/.test-installed
	ADL_SOAK=1 $(PY) -m pytest tests/tui/test_key_storm.py tests/engine/test_long_runs.py \
		tests/engine/test_waterfall_invariants.py tests/cli/test_scenario_promises.py \
		tests/engine/test_properties.py tests/engine/test_crowd_properties.py \
		tests/engine/test_soak.py

bench: $(VENV)/.run-installed
	$(PY) -m benchmarks

screenshots: $(VENV)/.test-installed
	$(PY) -m tui.screenshots screenshots

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
