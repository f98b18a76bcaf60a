# mujun — two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
YEARS  ?= 2022 2023
WAREHOUSE ?= warehouse/mujun.duckdb
EXPORTS   ?= exports

.PHONY: install manifest run test lint dev docs clean sample benchmark sql

# The virtualenv is rebuilt when pyproject.toml changes.
$(BIN)/mujun: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# ... and the project's Dagster instance (dagster_home/, telemetry off), shared by the CLI and the UI
install: $(BIN)/mujun manifest
	@$(BIN)/python -c "from dagster_project.instance import ensure_home; ensure_home()"

# dagster-dbt needs dbt's manifest before definitions load: parsed again whenever a dbt or seed
# file (or folder: a rename, a deletion) is newer than it.
MANIFEST := dbt/target/manifest.json
manifest: $(MANIFEST)
$(MANIFEST): $(BIN)/mujun $(shell find dbt/models dbt/macros dbt/tests data/seeds) dbt/dbt_project.yml dbt/profiles.yml
	$(BIN)/python -c "from dagster_project.dbt_extracts import write_extract_files; write_extract_files()"
	cd dbt && DBT_SEND_ANONYMOUS_USAGE_STATS=false $(CURDIR)/$(BIN)/dbt parse --quiet --profiles-dir .
	touch $@

# Evaluate the bundled sample years in order (2023 takes its previous class from 2022).
# Exit status 3 means "done, but not publishable" (blocked enterprises): a finished run here.
run: install
	@for year in $(YEARS); do \
	  $(BIN)/mujun evaluate --year $$year --warehouse $(WAREHOUSE) --export-dir $(EXPORTS); \
	  status=$$?; if [ $$status -ne 0 ] && [ $$status -ne 3 ]; then exit $$status; fi; \
	done
	@echo ""
	@echo "结果 / results:   $(CURDIR)/$(EXPORTS)/<year>/  (classification.csv, benchmarks.csv, dq_issues.csv,"
	@echo "                  亩均效益评价结果_<year>.xlsx, 公示名单_<year>.csv/.xlsx, 评价报告_<year>.html, diagnosis/, data_quality/,"
	@echo "                  rewards.csv, township_rewards.csv, 奖励测算_<year>.xlsx, 奖励公示_<year>.csv/.xlsx)"
	@echo "分析副本 / analysts' copy: $(CURDIR)/warehouse/published/mujun.duckdb"
	@echo "数据仓库 / DuckDB: $(CURDIR)/$(WAREHOUSE)"

# Python (ruff: pyproject.toml) and the dbt SQL (sqlfluff: .sqlfluff), as CI runs them.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt/models dbt/tests --processes 2

# One worker per core; a test file stays on one worker, so its module fixtures are built once;
# the heavy files are handed out first (tests/conftest.py).
# The tests write a few hundred small warehouses, each committed and synced many times: they go
# to a RAM disk where the machine has one with room (Linux /dev/shm, 4 GB free), which spares
# them the disk's syncs (docs/performance.md); elsewhere to the system's temporary folder. A
# passing test's folder is removed when it ends (pyproject.toml: tmp_path_retention_policy).
TEST_TMPDIR := $(shell d=/dev/shm; [ -d $$d ] && [ -w $$d ] && [ "$$(df -Pk $$d | awk 'NR==2 {print $$4}')" -gt 4000000 ] 2>/dev/null && echo $$d)
test: install
	$(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR) )$(BIN)/pytest -q --numprocesses=auto --dist=loadfile --no-loadscope-reorder

# Dagster UI on http://127.0.0.1:3000 (loopback only).
dev: install
	PATH=$(CURDIR)/$(BIN):$$PATH DAGSTER_HOME=$(CURDIR)/dagster_home $(BIN)/dagster dev -h 127.0.0.1 -p 3000

# dbt docs (Chinese column descriptions) as one static page, dbt/target/docs/static_index.html,
# read from the analysts' copy, never from the working warehouse a run may hold. dbt opens its
# database for writing, so it reads a scratch copy of the analysts' copy (named mujun.duckdb, as
# the relations' database is), removed after; its own target folder leaves the manifest and parse
# cache that the runs use alone. The front page is dbt/models/overview.md.
DOCS_DIR := dbt/target/docs
docs: install
	@test -f $(PUBLISHED) || { echo "没有分析副本，请先运行 make run / no analysts' copy yet: run make run first ($(PUBLISHED))"; exit 2; }
	mkdir -p $(DOCS_DIR) && cp $(PUBLISHED) $(DOCS_DIR)/mujun.duckdb
	MUJUN_WAREHOUSE=$(CURDIR)/$(DOCS_DIR)/mujun.duckdb $(BIN)/dbt docs generate --static --project-dir dbt --profiles-dir dbt \
	  --target-path target/docs \
	  --vars "{year: $$($(BIN)/python -c "import duckdb; print(duckdb.connect('$(PUBLISHED)', read_only=True).execute('select max(data_year) from marts.evaluation_status').fetchone()[0])")}"; \
	  status=$$?; rm -f $(DOCS_DIR)/mujun.duckdb $(DOCS_DIR)/mujun.duckdb.wal; exit $$status
	@echo "文档 / docs: $(CURDIR)/$(DOCS_DIR)/static_index.html"

# SQL shell for analysts (harlequin) on the read-only copy, in a virtualenv of its own: harlequin
# pins click==8.5.0, which must not change the pipeline's environment. DuckDB is the project's pin,
# so that the shell reads this DuckDB version's files (the duckdb CLI 1.5 cannot).
SQL_VENV  := .venv-sql
DUCKDB_PIN := $(shell grep -o '"duckdb==[^"]*"' pyproject.toml | tr -d '"')
HARLEQUIN_PIN := harlequin==2.17.0
PUBLISHED ?= warehouse/published/mujun.duckdb

$(SQL_VENV)/bin/harlequin: pyproject.toml
	$(PYTHON) -m venv $(SQL_VENV)
	$(SQL_VENV)/bin/pip install --quiet --upgrade pip
	$(SQL_VENV)/bin/pip install --quiet '$(DUCKDB_PIN)' '$(HARLEQUIN_PIN)'
	touch $@

sql: $(SQL_VENV)/bin/harlequin
	@test -f $(PUBLISHED) || { echo "没有分析副本，请先运行 make run / no analysts' copy yet: run make run first ($(PUBLISHED))"; exit 2; }
	$(SQL_VENV)/bin/harlequin --read-only $(PUBLISHED)

# Province-scale benchmark (10^3, 10^5, 10^6 enterprises): writes benchmarks/results.md
benchmark: install
	$(BIN)/python benchmarks/run.py

# Regenerate the fictional sample district (deterministic).
sample: install
	$(BIN)/mujun generate --years $(YEARS) --out data/raw

clean:
	rm -rf $(VENV) $(SQL_VENV) warehouse exports dbt/target dbt/logs dagster_home templates
