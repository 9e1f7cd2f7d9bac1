# 就援 jiuyuan — the two commands a fresh clone needs:
#   make run    set up, migrate var/jiuyuan.db, load demo data, serve on http://127.0.0.1:8000
#   make test   the whole test suite (PostgreSQL tests run when the local server answers)

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_POSTINGS ?= 5000
DEMO_PERSONS ?= 2000
DEMO_SEED ?= 20230201
LOCAL_PG_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install run migrate demo index ranker serve test bench-scoring bench-search bench-match bench-api schema clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch==2.13.0 is pinned in pyproject.toml: pip takes the local CPU wheel, not CUDA builds.
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/jiuyuan db upgrade

demo: migrate
	$(BIN)/jiuyuan demo --postings $(DEMO_POSTINGS) --persons $(DEMO_PERSONS) --seed $(DEMO_SEED)

serve: install
	$(BIN)/jiuyuan serve

# The embedding model is trained once on the ledger's postings (a few seconds for the demo);
# the index is rebuilt on every run so expired postings drop out.
index: demo
	$(BIN)/jiuyuan index train-model --quiet
	$(BIN)/jiuyuan index rebuild --quiet

# Demo push outcomes are simulated once (matcher/outcomes.py); the re-ranker is retrained and
# used only where it beats the rules.
ranker: index
	$(BIN)/jiuyuan train-ranker --simulate 1500 --quiet

run: ranker serve

test: install
	@if [ -z "$$JIUYUAN_TEST_PG_URL" ]; then \
	  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then \
	    export JIUYUAN_TEST_PG_URL="$(LOCAL_PG_URL)"; \
	  else echo "PostgreSQL at 127.0.0.1:5432 does not answer: its tests will be skipped (.ci/run starts it)."; fi; \
	fi; \
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure, not a pass." >&2; exit 1; fi; \
	exit $$rc

bench-scoring: install
	$(BIN)/python -m scoring.bench

bench-search: install
	$(BIN)/python -m indexer.bench --sizes 10000 100000

# Posts for a person and people for a post at 100k postings and 200k persons (var/bench/match.json).
bench-match: install
	$(BIN)/python -m matcher.bench

# The matching and placement routes under load on loopback (wrk when installed: apt-get install wrk).
bench-api: install
	$(BIN)/python -m api.bench

# The JSON Schema of the policy engine's input (facts) and output (report).
schema: install
	$(BIN)/jiuyuan score --schema > docs/scoring-schema.json

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
