# SeaStat. `make run` starts the dashboard; `make test` runs every test. Both set everything up first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages: DejaVu fonts for the PDF packet; for the tests also Chromium, poppler (pdftoppm) and
# PostgreSQL (its binaries only: the commitment tests start a throw-away server of their own, tests/pg_server.py).
RUN_DEBS  := fonts-dejavu-core
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils postgresql

.PHONY: run test setup system-deps data bench soak clean

run: $(STAMP)
	@$(MAKE) --no-print-directory system-deps DEBS="$(RUN_DEBS)"
	$(BIN)/streamlit run app.py

test: $(STAMP)
	@$(MAKE) --no-print-directory system-deps DEBS="$(TEST_DEBS)"
	$(BIN)/pytest

setup: $(STAMP)

# Re-installs only when the pins change.
$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

DEBS ?= $(TEST_DEBS)
system-deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Rebuild the bundled sample store (synthetic until real SPD exports are in ../shared/data/real).
BUNDLE_ROWS ?= 200000
BUNDLE_END  ?= 2026-11-22
data: $(STAMP)
	rm -rf build/sources data/store
	$(BIN)/seastat synth --rows $(BUNDLE_ROWS) --end $(BUNDLE_END) --out build/sources
	$(BIN)/seastat publish build/sources/crime.csv build/sources/calls.csv build/sources/use_of_force.csv --out data/store

# Speed and memory at 1 and 10 million rows (generated data is cached in build/bench).
bench: $(STAMP)
	@$(MAKE) --no-print-directory system-deps DEBS="$(TEST_DEBS)"
	$(BIN)/seastat bench --rows 1000000 --rows 10000000 --json build/bench.json

# The fault, fuzz and load proofs with SOAK_FACTOR (default 25) times as many cases (about an hour).
soak: $(STAMP)
	@$(MAKE) --no-print-directory system-deps DEBS="$(TEST_DEBS)"
	HYPOTHESIS_PROFILE=soak $(BIN)/pytest -q -p no:cacheprovider --hypothesis-show-statistics \
	  tests/test_fuzz_publish.py tests/test_faults.py tests/test_load.py tests/test_hostile_input.py

clean:
	rm -rf $(VENV) build .pytest_cache
