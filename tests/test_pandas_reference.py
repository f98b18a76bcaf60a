"""The reference pandas implementation of the benchmark (benchmarks/pandas_reference.py) writes
mujun's classification.csv: on the worked example, and on the sample district for two years in a
row (2023 takes its previous classes from the 2022 result)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import WORKED_RAW, run_pipeline

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RAW = ROOT / "data" / "raw"


def _reference():
    spec = importlib.util.spec_from_file_location("pandas_reference", ROOT / "benchmarks" / "pandas_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _reference()


def _pandas(raw_dir: Path, year: int, out: Path, previous: Path | None = None) -> Path:
    argv = ["--raw-dir", str(raw_dir), "--year", str(year), "--out", str(out)]
    assert reference.main(argv + (["--previous", str(previous)] if previous else [])) == 0
    return out


def test_worked_example_equals_mujun(worked, tmp_path):
    ours = _pandas(WORKED_RAW, worked.year, tmp_path / "classification.csv")
    problems, text_only = reference.compare(ours, worked.csv("classification.csv"))
    assert problems == []
    assert text_only == 0
    # the same file, row order included
    assert ours.read_text(encoding="utf-8") == (worked.export_dir / str(worked.year) / "classification.csv").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample district evaluated by mujun, 2022 then 2023 in one warehouse."""
    tmp = tmp_path_factory.mktemp("sample")
    return {year: run_pipeline(tmp, SAMPLE_RAW, year) for year in (2022, 2023)}


def test_sample_district_two_years_equals_mujun(sample, tmp_path):
    previous = None
    for year, run in sample.items():
        assert run.status in (0, 3)
        ours = _pandas(SAMPLE_RAW, year, tmp_path / f"{year}.csv", previous)
        problems, text_only = reference.compare(ours, run.export_dir / str(year) / "classification.csv")
        assert problems == [], year
        assert text_only == 0, year
        previous = ours
    # the previous year's result decided something: an enterprise protected because it was A in 2022
    result = reference.pd.read_csv(previous, dtype=str, keep_default_na=False)
    assert result["adjustments"].str.contains("protect_cd").any()


def test_compare_reports_a_difference(worked, tmp_path):
    theirs = worked.csv("classification.csv")
    changed = theirs.copy()
    changed.loc[0, "final_class"] = "D" if changed.loc[0, "final_class"] != "D" else "A"
    changed.loc[1, "total_score"] = str(float(changed.loc[1, "total_score"]) + 0.01)
    problems, _ = reference.compare(changed, theirs)
    assert problems and "2 of 17 enterprises differ" in problems[0]
    assert "final_class 1" in problems[0] and "total_score 1" in problems[0]
