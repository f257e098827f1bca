PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
# Two stages: the demo needs only the runtime dependencies; the tests add theirs on top.
RUNTIME_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed

.PHONY: demo test venv docs node-data clean

venv: $(STAMP)

$(RUNTIME_STAMP): requirements/runtime.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements/runtime.txt
	$(PIP) --no-deps -e .
	touch $@

$(STAMP): $(RUNTIME_STAMP) requirements/dev.txt
	$(PIP) -r requirements/dev.txt
	touch $@

demo: $(RUNTIME_STAMP)
	@echo "== examples/flawed: a Node.js app with a Dockerfile that breaks the practices"
	@$(BIN)/python -m nodeguard check examples/flawed || echo "(nodeguard exited with $$?: findings at or above the fail-on threshold)"
	@echo
	@echo "== examples/good: the same app, done right"
	@$(BIN)/python -m nodeguard check examples/good

test: $(STAMP)
	$(BIN)/mypy
	$(BIN)/python -m pytest

docs: $(STAMP)
	$(BIN)/python -m nodeguard.docs docs/rules
	$(BIN)/python scripts/json_format_example.py

node-data: $(STAMP)
	$(BIN)/python -m nodeguard.remote.node_data --write

clean:
	rm -rf $(VENV)
