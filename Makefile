# Two commands set everything up on a fresh machine: `make demo` and `make test`.
# Each bootstraps .venv itself; nothing installed by hand is relied on.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export PIP_DISABLE_PIP_VERSION_CHECK=1

.PHONY: demo test lint typecheck unit bench clean venv chromium

venv: $(STAMP) chromium

# the web UI tests drive Debian's headless chromium through playwright (never `playwright install`)
chromium:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,spark]'
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(STAMP)
	$(BIN)/mdm demo --workdir mdm-demo

lint: $(STAMP)
	$(BIN)/ruff check mdm tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) chromium
	$(BIN)/python -m pytest -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) mdm-demo mdm-data .pytest_cache .mypy_cache .ruff_cache
