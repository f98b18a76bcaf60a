"""Each dbt command has its own folder under dbt/target (dagster_project/dbt_build.py). A failed
build's folder stays to be looked into, and the failure names it; the oldest such folders go, so
that dbt/target does not grow with every failed run (a few MB each)."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_project import dbt_build
from dagster_project.defs.dbt_assets import _build_failure

HOUR = 3600


def _folder(target: Path, name: str, age_hours: float, now: float) -> Path:
    folder = target / name
    (folder / "compiled").mkdir(parents=True)
    (folder / "dbt.log").write_text("error\n", encoding="utf-8")
    os.utime(folder, (now - age_hours * HOUR, now - age_hours * HOUR))
    return folder


def test_the_newest_folders_and_the_young_ones_stay_the_rest_go(tmp_path, monkeypatch):
    monkeypatch.setattr(dbt_build, "TARGET", tmp_path)
    now = 1_900_000_000.0
    old = [_folder(tmp_path, f"build-{i:012x}", 30 - i, now) for i in range(8)]  # 30 … 23 hours old
    crashed_parse = _folder(tmp_path, "parse-0000000000aa", 40, now)  # a parse killed mid-way
    # what dbt/target holds besides: the parse cache, the manifest, `make docs`
    (tmp_path / dbt_build.PARTIAL_PARSE_FILE).write_bytes(b"cache")
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    os.utime(tmp_path / "docs", (now - 50 * HOUR, now - 50 * HOUR))

    removed = dbt_build.remove_old_folders(now)

    assert sorted(removed) == sorted([crashed_parse, *old[:3]])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*(f.name for f in old[3:]), dbt_build.PARTIAL_PARSE_FILE, "manifest.json", "docs"]
    )
    assert dbt_build.remove_old_folders(now) == []  # five left: nothing more goes


def test_a_folder_younger_than_an_hour_stays_however_many_there_are(tmp_path, monkeypatch):
    """It may be the folder of a build still running in another process."""
    monkeypatch.setattr(dbt_build, "TARGET", tmp_path)
    now = 1_900_000_000.0
    young = [_folder(tmp_path, f"build-{i:012x}", 0.9 - i * 0.1, now) for i in range(8)]
    old = _folder(tmp_path, "build-0000000000ff", 2, now)
    assert dbt_build.remove_old_folders(now) == [old]
    assert all(folder.is_dir() for folder in young)


def test_a_failed_build_names_its_folder(tmp_path):
    failure = _build_failure([], RuntimeError("boom"), tmp_path / "build-0123456789ab")
    assert "dbt 计算失败 / dbt build failed: boom" in failure.description
    assert str(tmp_path / "build-0123456789ab") in failure.description
    assert failure.metadata["folder"].value == str(tmp_path / "build-0123456789ab")
