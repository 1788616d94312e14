PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test dev lint format clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (set PYTHON=/path/to/python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/govreports refresh

# Two pytest processes (TEST_WORKERS=1 for one), each test file kept on one of them.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# The Dagster UI on http://localhost:3000 (reads ./dagster.yaml; history in .dagster_home/).
dev: $(STAMP)
	$(BIN)/dagster dev

lint: $(STAMP)
	$(BIN)/ruff format --check . && $(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data/warehouse .dagster_home

# The parser on N mutated real reports (default 10,000), then the whole refresh on an
# adversarial raw dir of N entries (default 3,000; `make fuzz-pipeline` runs only that).
.PHONY: fuzz fuzz-pipeline
fuzz: $(STAMP)
	$(BIN)/python -m fuzz.fuzz_parser $(or $(N),10000)
	$(BIN)/python -m fuzz.fuzz_pipeline $(or $(N),3000)

fuzz-pipeline: $(STAMP)
	$(BIN)/python -m fuzz.fuzz_pipeline $(or $(N),3000)

# Benchmark (issue 4): N = 1k, 3k, 10k by default; BENCH_ARGS=--big adds 100k, --smoke is N = 50.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/run_bench.py $(BENCH_ARGS)
