"""The rewards follow the rule tables: a project copy (MUJUN_HOME) with another step amount and
the Decisions of REWARDS.md turned the other way gives other rewards, through the command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
from test_rewards import REWARDS_EXPECTED, REWARDS_RAW, R

from dagster_project.dbt_build import copy_project
from dagster_project.uscc import check_character

SIX = "91411303RWLX60001" + check_character("91411303RWLX60001")  # 6亿, last year 4.8亿, 7亿 in 2021


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _append(path: Path, row: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")


def test_rule_tables_drive_the_rewards_step_amount_and_every_decision(tmp_path):
    root = Path(__file__).parents[1]
    home = tmp_path / "project"
    copy_project(home)  # with the parse cache of this checkout
    shutil.copytree(root / "data" / "seeds", home / "data" / "seeds")
    seeds = home / "data" / "seeds"
    # band 3 of 产值增长奖: each step adds 1 instead of 0.5
    _replace(
        seeds / "reward_growth_bands.csv",
        "3,,,10000,false,0.20,1500,2,both,500,0.10,0.5,5,",
        "3,,,10000,false,0.20,1500,2,both,500,0.10,1,5,",
    )
    # the Decisions the other way: every threshold crossed counts, a first crossing needs no previous
    # output, bands overlap (the larger amount wins)
    for name in ("breakthrough_highest_only", "breakthrough_requires_prev", "growth_bands_exclusive"):
        _replace(seeds / "reward_parameters.csv", f"{name},1,", f"{name},0,")

    raw = tmp_path / "raw"
    shutil.copytree(REWARDS_RAW / "2023", raw / "2023")
    _append(raw / "2023" / "statistics.csv", f"{SIX},示例六亿有限公司,王村街道,3412,规上,60000,48000,60000,48000,4800.0,9000,2015-01-01,")
    _append(raw / "2023" / "tax.csv", f"{SIX},600.0,否")
    _append(raw / "2023" / "land_parcels.csv", f"{SIX},411303-R99,30000")
    _append(raw / "2023" / "output_history.csv", f"{SIX},2021,70000")

    exports = tmp_path / "exports"
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("mujun")),
            "evaluate",
            "--year",
            "2023",
            "--raw-dir",
            str(raw),
            "--export-dir",
            str(exports),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "MUJUN_HOME": str(home)},
        timeout=900,
    )
    assert done.returncode == 3, done.stdout + done.stderr

    got = pd.read_csv(exports / "2023" / "rewards.csv", dtype=str, keep_default_na=False)
    got = {(r.uscc, r.item): (float(r.amount), r.status) for r in got.itertuples()}
    expected = pd.read_csv(REWARDS_EXPECTED / "rewards.csv", dtype=str, keep_default_na=False)
    expected = {(r.uscc, r.item): (float(r.amount), r.status) for r in expected.itertuples()}
    expected[(R["R5"], "output_growth")] = (3.0, "granted")  # 2 + 1 step × 1 (was 2.5)
    expected[(R["R6"], "output_growth")] = (5.0, "granted")  # 2 + 5 steps × 1, capped at 5 (was 4.5)
    expected[(R["R4"], "output_breakthrough")] = (50.0, "granted")  # 20亿 and 10亿: 30 + 20 (was 30)
    expected[(R["R16"], "output_breakthrough")] = (5.0, "granted")  # no previous output, no history over 1亿
    expected[(SIX, "output_growth")] = (10.0, "granted")  # band 2 (capped 10) beats band 1 (8)
    assert got == expected
