"""Shared fixtures: every test that runs the pipeline gets its own temporary warehouse."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from filelock import FileLock

from dagster_project.evaluate import evaluate
from dagster_project.instance import ensure_home

FIXTURES = Path(__file__).parent / "fixtures"
WORKED_RAW = FIXTURES / "worked" / "raw"
WORKED_EXPECTED = FIXTURES / "worked" / "expected"

# The worked example's enterprises by their short names (see fixtures/worked/README.md).
U = {
    "甲": "91411303CNEUCAKJ5Y",
    "乙": "91411303L3R3L9TN8L",
    "丙": "91411303NG957XX50T",
    "丁": "914113036B2K4NUR03",
    "戊": "9141130364FWEHAG1Y",
    "己": "914113032HYEF0R39J",
    "庚": "914113037PKLPT3J1N",
    "辛": "9141130324CFL6KL2N",
    "壬": "91411303H6W9U8TL12",
    "癸": "91411303JP1BF4X91A",
    "子": "91411303GWXUCJMA4F",
    "丑": "91411303A9T45TPE10",
    "小一": "91411303PBHT74GB84",
    "小二": "91411303L3085YTY0R",
    "小三": "9141130394N65LR860",
    "小四": "91411303GN3DQPFN6F",
    "小五": "914113032RPLUUAQ5B",
}


@dataclass
class Run:
    status: int
    raw_dir: Path
    export_dir: Path
    warehouse: Path
    year: int = 2023

    def csv(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.export_dir / str(self.year) / name, dtype=str, keep_default_na=False)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list | None = None):
        rows = self.query(sql, params)
        assert len(rows) == 1, rows
        return rows[0][0] if len(rows[0]) == 1 else rows[0]


def copy_worked(target: Path) -> Path:
    """A writable copy of the worked example's raw folder."""
    shutil.copytree(WORKED_RAW, target)
    return target


def typed(value_type: str, text: str):
    """A CSV cell as a person types it into a spreadsheet: numbers in number columns and dates in
    date columns become numbers and dates (Excel recognises them), the rest stays text; an empty
    cell stays empty."""
    if text == "":
        return None
    if value_type in ("decimal", "int") and re.fullmatch(r"-?\d+(\.\d+)?", text):
        number = float(text)
        return int(number) if number.is_integer() else number
    if value_type == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.fromisoformat(text)
    return text


def copy_run(run: Run, target: Path) -> Run:
    """A writable copy of an evaluated run: its deliveries, warehouse (with the analysts' copy) and
    exports under `target`, as if `target` had been evaluated. Tests that change something and
    evaluate again start here instead of evaluating the unchanged input once more (ingestion
    knows the copied deliveries by their sha256)."""
    raw_dir = copy_worked(target / "raw") if run.raw_dir == WORKED_RAW else Path(shutil.copytree(run.raw_dir, target / "raw"))
    warehouse = target / "warehouse" / run.warehouse.name
    shutil.copytree(run.warehouse.parent, warehouse.parent, ignore=shutil.ignore_patterns("logs"))
    shutil.copytree(run.export_dir, target / "exports")
    with duckdb.connect(str(warehouse)) as conn:  # the outputs were published into the copy's folder
        recorded = "select 1 from information_schema.columns where table_name = 'published_exports' and column_name = 'export_dir'"
        if conn.execute(recorded).fetchall():
            conn.execute("update runs.published_exports set export_dir = ?", [str((target / "exports").resolve())])
    return Run(run.status, raw_dir, target / "exports", warehouse, run.year)


def run_pipeline(tmp: Path, raw_dir: Path, year: int = 2023, cutoff=None) -> Run:
    export_dir, warehouse = tmp / "exports", tmp / "warehouse" / "mujun.duckdb"
    status = evaluate(year=year, raw_dir=raw_dir, export_dir=export_dir, warehouse=warehouse, cutoff=cutoff)
    return Run(status, raw_dir, export_dir, warehouse, year)


def pytest_collection_modifyitems(config, items):
    """The heavy test files first (`pytestmark = pytest.mark.heavy`), the rest after, each in file
    order: `make test` hands whole files to the workers in this order (--dist=loadfile
    --no-loadscope-reorder), so that no worker is left alone with a long file at the end while the
    other has finished. (pytest-xdist's own order, by number of tests, put the longest files,
    which hold one or two tests each, last.)"""
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


@pytest.fixture
def dbt_folders(monkeypatch) -> list[Path]:
    """The folders of the dbt commands this test starts (dagster_project/dbt_build.py), in order."""
    from dagster_project import dbt_build

    created: list[Path] = []
    new = dbt_build.Invocation.new

    def recorded(name: str):
        invocation = new(name)
        created.append(invocation.target)
        return invocation

    monkeypatch.setattr(dbt_build.Invocation, "new", staticmethod(recorded))
    return created


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory):
    """The `mujun` runs of the tests are recorded in a Dagster instance of their own (one per
    worker), never in the project's dagster_home/ that the user's Dagster UI shows."""
    home = ensure_home(tmp_path_factory.mktemp("dagster_home"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home))
        yield home


@pytest.fixture(scope="session")
def worked(tmp_path_factory, worker_id) -> Run:
    """The worked example, evaluated once for all tests that only read its results, and once for
    the whole session when pytest-xdist runs several workers: they share it, because no test
    writes to it (a test that changes something works on `copy_run(worked, ...)`)."""
    if worker_id == "master":  # not distributed
        return run_pipeline(tmp_path_factory.mktemp("worked"), WORKED_RAW)
    shared = tmp_path_factory.getbasetemp().parent / "worked"
    finished = shared / "status"
    with FileLock(f"{shared}.lock"):
        if not finished.is_file():
            finished.parent.mkdir(parents=True, exist_ok=True)
            finished.write_text(str(run_pipeline(shared, WORKED_RAW).status))
    return Run(int(finished.read_text()), WORKED_RAW, shared / "exports", shared / "warehouse" / "mujun.duckdb")
