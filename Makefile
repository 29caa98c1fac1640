# SeaStat. `make run` starts the dashboard; `make test` runs every test. Both set everything up first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages: DejaVu fonts for the PDF packet; for the tests also Chromium, poppler (pdftoppm) and
# PostgreSQL (its binaries only: the commitment tests start a throw-away server of their own, tests/pg_server.py).
RUN_DEBS  := fonts-dejavu-core
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils postgresql

.PHONY: run test lint setup system-deps data demo bench soak clean

run: $(STAMP)
	@$(MAKE) --no-print-directory system-deps DEBS="$(RUN_DEBS)"
	$(BIN)/streamlit run app.py

test: $(STAMP)
	@$(MAKE) --no-print-directory system-deps DEBS="$(TEST_DEBS)"
	@$(MAKE) --no-print-directory lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

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

# Rebuild the bundled store from the real SPD exports (they stay in REAL; the repository keeps only
# what `seastat publish` makes of them).
REAL ?= ../shared/data/real
data: $(STAMP)
	@test -d $(REAL) || { echo "no real SPD exports at $(REAL): set REAL=DIR"; exit 2; }
	rm -rf data/store
	$(BIN)/seastat publish --replace-all $(REAL)/crime/*.csv $(REAL)/calls/*.csv $(REAL)/use_of_force/*.csv --out data/store

# The full-scale synthetic store, in a folder of its own and labelled synthetic on every page:
# offenses, calls and uses of force at city scale, each beat's blocks drawn from the real records.
DEMO_ROWS ?= 200000
DEMO_END  ?= 2026-11-22
demo: $(STAMP)
	rm -rf build/demo
	$(BIN)/seastat synth --rows $(DEMO_ROWS) --end $(DEMO_END) --real-store data/store --out build/demo/sources
	$(BIN)/seastat publish build/demo/sources/crime.csv build/demo/sources/calls.csv build/demo/sources/use_of_force.csv --out build/demo/store
	SEASTAT_STORE=build/demo/store $(BIN)/streamlit run app.py

# Speed and memory at two real shapes of growth (seastat/bench.py SHAPES; generated data is cached in build/bench).
bench: $(STAMP)
	@$(MAKE) --no-print-directory system-deps DEBS="$(TEST_DEBS)"
	$(BIN)/seastat bench --shape seattle --shape dense --json build/bench.json

# The fault, fuzz and load proofs with SOAK_FACTOR (default 25) times as many cases (about an hour).
soak: $(STAMP)
	@$(MAKE) --no-print-directory system-deps DEBS="$(TEST_DEBS)"
	HYPOTHESIS_PROFILE=soak $(BIN)/pytest -q -p no:cacheprovider --hypothesis-show-statistics \
	  tests/test_fuzz_publish.py tests/test_faults.py tests/test_load.py tests/test_hostile_input.py

clean:
	rm -rf $(VENV) build .pytest_cache
