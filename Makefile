# 就援 jiuyuan — the two commands a fresh clone needs:
#   make run    set up, migrate var/jiuyuan.db, load demo data, serve on http://127.0.0.1:8000
#   make test   the whole test suite (PostgreSQL tests run when the local server answers)
#   make test-fast   the quick loop while editing: no browser, notebook, schemathesis, benchmark,
#                    slow or PostgreSQL tests (about a minute on two cores)

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_POSTINGS ?= 5000
DEMO_PERSONS ?= 2000
DEMO_SEED ?= 20230201
LOCAL_PG_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
CHECK_WORKTREE ?= 1

.PHONY: install lock run migrate demo index ranker serve test test-fast fuzz screenshots bench-scoring bench-search bench-match bench-api bench-pay schema clean lint typecheck

# Everything installs from the lock (exact versions, hashes checked); pyproject.toml keeps ranges.
# torch is locked as the local CPU wheel (2.13.0+cpu): a looser pin would pull CUDA builds.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Refresh the lock after changing a dependency in pyproject.toml (or to take newer releases
# on purpose, with LOCK_ARGS=--upgrade): it re-resolves every package and rewrites
# requirements.lock with hashes, keeping the pins it can.
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras $(LOCK_ARGS) \
	  --extra test --extra dev --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

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

# Demo push outcomes are simulated once (demo/outcomes.py); the re-ranker is retrained and
# used only where it beats the rules.
ranker: index
	$(BIN)/jiuyuan train-ranker --simulate 1500 --quiet

# Ends by printing the page's address and one demo token per role (demo only: jiuyuan demo made
# them; `jiuyuan serve --production` refuses to start while they are live), then serves.
run: ranker
	@$(BIN)/jiuyuan keys demo
	$(BIN)/jiuyuan serve

# A test run must leave the work tree as it found it (var/ and other ignored paths excepted): the
# state is git's status of every file plus the content of every file that differs from HEAD, taken
# before and after, so a tree that was dirty already passes, and a test that rewrites a file that
# was already modified is still caught. CHECK_WORKTREE=0 skips the check (say, while you edit
# during a run); outside a git checkout there is nothing to check.
# (Untracked paths by size and modification time, without following a link to a folder.)
WORKTREE_STATE = { git status --porcelain --untracked-files=all; git diff HEAD --binary | sha1sum; \
	git ls-files -z --others --exclude-standard | xargs -0 -r stat -c '%n %s %y'; }

# $(call run_pytest,ARGS,PG): pytest ARGS with pytest's exit 5 (no test collected) a failure and
# the work tree checked. PG=local: the local PostgreSQL when it answers (or JIUYUAN_TEST_PG_URL
# as set); PG=none: JIUYUAN_TEST_PG_URL unset, so no test waits on a database server.
define run_pytest
@if [ "$(2)" = none ]; then unset JIUYUAN_TEST_PG_URL; \
elif [ -z "$$JIUYUAN_TEST_PG_URL" ]; then \
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then \
    export JIUYUAN_TEST_PG_URL="$(LOCAL_PG_URL)"; \
  else echo "PostgreSQL at 127.0.0.1:5432 does not answer: its tests will be skipped (.ci/run starts it)."; fi; \
fi; \
check=$(CHECK_WORKTREE); git rev-parse --is-inside-work-tree >/dev/null 2>&1 || check=0; \
state=$$(mktemp -d); \
if [ "$$check" = 1 ]; then $(WORKTREE_STATE) > $$state/before; fi; \
$(BIN)/python -m pytest $(1); rc=$$?; \
if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure, not a pass." >&2; rc=1; fi; \
if [ "$$check" = 1 ]; then \
  $(WORKTREE_STATE) > $$state/after; \
  if ! cmp -s $$state/before $$state/after; then \
    echo "The test run changed the work tree (git status and content hashes, before and after):" >&2; \
    diff $$state/before $$state/after >&2; [ $$rc -ne 0 ] || rc=1; \
  fi; \
fi; \
rm -rf $$state; exit $$rc
endef

# Lint before tests: ruff's format and rules, strict types on the policy engine, and the layering
# contracts of pyproject.toml's [tool.importlinter] (docs/architecture.md).
lint: install
	$(BIN)/ruff format --check --quiet .
	$(BIN)/ruff check --quiet .
	$(BIN)/mypy --strict scoring/
	$(BIN)/lint-imports --no-cache

# The other packages' types: informational while they are being annotated (not part of make test).
typecheck: install
	$(BIN)/mypy jiuyuan services api ledger indexer matcher cli demo bench

# The whole suite: lint, then every marker, PostgreSQL too when it answers. One pytest-xdist
# worker per core: the run waits on PostgreSQL and the browser as much as it computes (on two
# cores, 3 min 14 s against 5 min 10 s in one process, 2026-12-02).
test: lint
	$(call run_pytest,-n auto --maxprocesses=4 $(PYTEST_ARGS),local)

# The quick loop (under a minute on two cores: about 50 s, in one worker per core with
# pytest-xdist, each training its own small model): unit, policy, search and integration tests on
# SQLite. Left out: browser, notebook, schemathesis, bench and slow tests (tests/conftest.py
# marks them; `make test` runs them), and PostgreSQL: JIUYUAN_TEST_PG_URL is unset here, as
# its parametrised copies would double the run. Property tests try 25 examples, not 150, and
# Faker's pytest plugin (no test uses its fixture) is not loaded: a second off every start.
FAST_MARKERS := not slow and not browser and not notebook and not schemathesis and not bench and not postgres
test-fast: install
	$(call run_pytest,-m "$(FAST_MARKERS)" --hypothesis-profile=fast -p no:faker -n auto --maxprocesses=4 $(PYTEST_ARGS),none)

# schemathesis over every operation with all its checks (status codes, content types, headers,
# bodies, 5xx), FUZZ_EXAMPLES examples each (50; a plain `make test` runs 12, CI's .ci/run 50):
# PostgreSQL when it answers. About a minute here; see CONTRIBUTING.md.
FUZZ_EXAMPLES ?= 50
fuzz: export JIUYUAN_FUZZ_EXAMPLES = $(FUZZ_EXAMPLES)
fuzz: install
	$(call run_pytest,-m schemathesis -p no:randomly tests/integration/test_api_schemathesis.py $(PYTEST_ARGS),local)

# The screenshots docs/api.md shows: the browser tests, writing to docs/screenshots/ this once (a plain
# test run writes them to var/screenshots/).
screenshots: install
	JIUYUAN_SCREENSHOTS=docs $(BIN)/python -m pytest -m browser tests/web

bench-scoring: install
	$(BIN)/python -m bench.scoring

# One province on one machine: make bench-search SIZES="100000 1000000" (about 15 min, 6 GiB).
SIZES ?= 10000 100000
bench-search: install
	$(BIN)/python -m bench.search --sizes $(SIZES)

# Posts for a person and people for a post at 100k postings and 200k persons (var/bench/match.json).
bench-match: install
	$(BIN)/python -m bench.match

# The matching and placement routes under load on loopback (wrk when installed: apt-get install wrk).
bench-api: install
	$(BIN)/python -m bench.api

# The monthly payment run over 100,000 placements and 1.2 M contributions, SQLite and PostgreSQL
# (docs/benchmarks.md); BENCH_PAY_ARGS="--sizes 10000" for a quicker one.
bench-pay: install
	$(BIN)/python -m bench.pay $(BENCH_PAY_ARGS)

# The JSON Schema of the policy engine's input (facts) and output (report).
schema: install
	$(BIN)/jiuyuan score --schema > docs/scoring-schema.json

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
