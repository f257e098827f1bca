PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv docs clean

venv: $(STAMP)

$(STAMP): requirements/runtime.txt requirements/dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	@echo "== examples/flawed: a Node.js app with a Dockerfile that breaks the practices"
	@$(BIN)/nodeguard check examples/flawed || echo "(nodeguard exited with $$?: findings at or above the fail-on threshold)"
	@echo
	@echo "== examples/good: the same app, done right"
	@$(BIN)/nodeguard check examples/good

test: $(STAMP)
	$(BIN)/python -m pytest

docs: $(STAMP)
	$(BIN)/python -m nodeguard.docs docs/rules

clean:
	rm -rf $(VENV)
