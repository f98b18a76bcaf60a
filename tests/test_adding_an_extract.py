"""Adding an extract is a change to the contract only: a project copy (MUJUN_HOME) with one more
row in extracts.csv and its columns in extract_columns.csv ingests the new file, validates it
(a bad cell becomes a data-quality issue), reconciles it and reports it to its department, with
no other file edited (docs/adding-an-extract.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd

from conftest import WORKED_RAW, U
from dagster_project.dbt_build import copy_project


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_new_extract_is_ingested_validated_reconciled_and_reported(tmp_path):
    root = Path(__file__).parents[1]
    home = tmp_path / "project"
    copy_project(home)  # with the parse cache of this checkout
    shutil.copytree(root / "data" / "seeds", home / "data" / "seeds")
    seeds = home / "data" / "seeds"
    _append(seeds / "extracts.csv", "energy_audits,environment,生态环境局,false,false,节能监察记录\n")
    _append(
        seeds / "extract_columns.csv",
        "energy_audits,uscc,统一社会信用代码,uscc,,true,1\n"
        "energy_audits,audit_id,监察编号,text,,true,2\n"
        "energy_audits,audited_on,监察日期,date,,true,3\n"
        "energy_audits,saving_tce,节能量(吨标准煤),decimal,,false,4\n",
    )

    raw = tmp_path / "raw"
    shutil.copytree(WORKED_RAW, raw)
    (raw / "2023" / "energy_audits.csv").write_text(
        "uscc,audit_id,audited_on,saving_tce\n"
        f"{U['甲']},JC-2023-01,2023-04-01,12.5\n"
        f"{U['乙']},JC-2023-02,2023-13-45,3\n"
        f"{U['丙']},JC-2023-03,2023-06-01,\n",
        encoding="utf-8",
    )

    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
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
            str(warehouse),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "MUJUN_HOME": str(home)},
        timeout=900,
    )
    assert done.returncode == 3, done.stdout + done.stderr  # the worked example has blocked enterprises

    # the generated extract list of the copy names the new extract (and only the copy's)
    assert "energy_audits" in (home / "dbt" / "models" / "validation" / "_raw__sources.yml").read_text(encoding="utf-8")
    assert "energy_audits" not in (root / "dbt" / "models" / "validation" / "_raw__sources.yml").read_text(encoding="utf-8")

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from raw.energy_audits").fetchone()[0] == 3
        assert conn.execute(
            """select file, line, uscc, "check", column_name, value, department_zh from marts.dq_issues
               where data_year = 2023 and file = 'energy_audits.csv'"""
        ).fetchall() == [("energy_audits.csv", 3, U["乙"], "date_invalid", "audited_on", "2023-13-45", "生态环境局")]
        assert conn.execute(
            """select department, delivered, rows_read, rows_quarantined, rows_accepted from marts.delivery_reconciliation
               where data_year = 2023 and extract = 'energy_audits'"""
        ).fetchall() == [("environment", True, 3, 1, 2)]

    # the department's data-quality workbook lists the file and the bad cell
    report = exports / "2023" / "data_quality" / "environment_生态环境局.xlsx"
    sheets = pd.read_excel(report, sheet_name=None, dtype=str)
    text = "\n".join(frame.to_csv(index=False) for frame in sheets.values())
    assert "energy_audits.csv" in text and "2023-13-45" in text
