"""An extract's or a column's name in the contract tables (data/seeds/extracts.csv,
extract_columns.csv) becomes a file, table and asset name: a name that cannot be one (Chinese, a
space, a bookkeeping table's name) is refused in words naming the table, line and column, before
anything runs, and `mujun` says so without a traceback."""

from __future__ import annotations

import shutil

import pytest

from dagster_project import contract
from dagster_project.cli import main
from dagster_project.paths import SEEDS_DIR


@pytest.fixture
def seeds(tmp_path, monkeypatch):
    """A copy of the contract tables that the contract is read from for the test."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in ("extracts.csv", "extract_columns.csv"):
        shutil.copy(SEEDS_DIR / name, folder / name)
    monkeypatch.setattr(contract, "SEEDS_DIR", folder)
    contract.extracts.cache_clear()
    yield folder
    contract.extracts.cache_clear()


def _append(path, line: str) -> int:
    """Append a line; return its line number."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


@pytest.mark.parametrize(
    ("table", "line", "column", "name"),
    [
        ("extracts.csv", "取水量,water,水利局,false,false,取水量", "extract", "取水量"),
        ("extracts.csv", "loads,water,水利局,false,false,取水量", "extract", "loads"),
        ("extract_columns.csv", "tax,Paid Tax,实缴税费,decimal,,false,9", "column_name", "Paid Tax"),
        # a column of the rows' lineage, and a word the SQL that reads the column reserves
        ("extract_columns.csv", "tax,line_number,行号,int,,false,9", "column_name", "line_number"),
        ("extract_columns.csv", "tax,group,所属集团,text,,false,9", "column_name", "group"),
    ],
)
def test_a_name_that_cannot_be_one_is_refused_naming_table_line_and_column(seeds, capsys, table, line, column, name):
    number = _append(seeds / table, line)
    with pytest.raises(contract.ContractError) as refused:
        contract.extracts()
    assert f"data/seeds/{table} 第{number}行 列“{column}”：“{name}”不能用作名称" in str(refused.value)
    assert f"data/seeds/{table} line {number} column {column}" in str(refused.value)
    # the command says it, as a failed run, without a traceback
    (seeds.parent / "raw" / "2023").mkdir(parents=True)
    assert main(["evaluate", "--year", "2023", "--raw-dir", str(seeds.parent / "raw"), "--warehouse", str(seeds.parent / "w.duckdb")]) == 1
    out = capsys.readouterr().out
    assert f"运行失败 / run failed: data/seeds/{table} 第{number}行" in out and "Traceback" not in out


@pytest.mark.parametrize(
    ("table", "line", "column", "value"),
    [
        ("extracts.csv", "water_use,water_resources,水利局,1,false,取水量", "required", "1"),
        ("extract_columns.csv", "tax,remark,备注,text,,是,9", "value_required", "是"),
    ],
)
def test_a_flag_that_is_not_true_or_false_is_refused_naming_table_line_and_column(seeds, table, line, column, value):
    """dbt loads the same tables and reads 1 as true: a reading that took it for false would make a
    required file optional without a word."""
    number = _append(seeds / table, line)
    with pytest.raises(contract.ContractError) as refused:
        contract.extracts()
    assert f"data/seeds/{table} 第{number}行 列“{column}”：“{value}”须为 true 或 false" in str(refused.value)


def test_the_project_contract_names_are_usable():
    assert {"statistics", "tax", "land_parcels"} <= set(contract.extracts())
