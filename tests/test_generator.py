"""The sample district generator: deterministic, contract-shaped, fictional."""

from __future__ import annotations

import csv
import filecmp

import openpyxl

from dagster_project.contract import extracts
from dagster_project.generate import OUT_OF_SCOPE, TOWNSHIPS, generate_district
from dagster_project.uscc import is_valid


def _read(path):
    """The rows of a generated delivery, CSV or (the sample's 科技局) its filled-in template."""
    if not path.is_file() and path.with_suffix(".xlsx").is_file():
        sheet = openpyxl.load_workbook(path.with_suffix(".xlsx"), read_only=True)[path.stem]
        rows = list(sheet.iter_rows(values_only=True))
        names = [c.name for c in extracts()[path.stem].columns]
        return [dict(zip(names, ("" if v is None else str(v) for v in row))) for row in rows[1:]]
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_generator_is_deterministic(tmp_path):
    first = generate_district(tmp_path / "a", 2023, above=30, below=90, seed=5)
    second = generate_district(tmp_path / "b", 2023, above=30, below=90, seed=5)
    assert [p.name for p in first] == [p.name for p in second]
    assert all(filecmp.cmp(a, b, shallow=False) for a, b in zip(first, second))


def test_generator_follows_the_contract(tmp_path):
    generate_district(tmp_path, 2023)
    folder = tmp_path / "2023"
    for path in folder.glob("*.csv"):
        with open(path, encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header == [c.name for c in extracts()[path.stem].columns]
    stats = _read(folder / "statistics.csv")
    assert sum(r["scale"] == "规上" for r in stats) == 300 and sum(r["scale"] == "规下" for r in stats) == 900
    assert all(is_valid(r["uscc"]) for r in stats)
    assert {r["township"] for r in stats} <= set(TOWNSHIPS)
    assert all(r["name"].startswith("示例") for r in stats)  # never a real firm
    assert {r["industry_code"] for r in stats} & {code for code, _ in OUT_OF_SCOPE}
    parcels = _read(folder / "land_parcels.csv")
    assert len(parcels) > len(stats)  # multi-parcel enterprises
    leases = _read(folder / "land_leases.csv")
    assert {r["verified"] for r in leases} == {"是", "否"}
    # 科技局 delivers its filled-in template, and nothing else delivers twice
    assert (folder / "science_tech.xlsx").is_file() and not (folder / "science_tech.csv").exists()
    science = openpyxl.load_workbook(folder / "science_tech.xlsx")["science_tech"]
    assert [c.value for c in science[1]] == [
        "＊统一社会信用代码",
        "研发费用(万元)",
        "当年新增发明专利(件)",
        "高新技术企业/科技型中小企业/省创新龙头企业",
        "研发平台级别",
    ]
    assert all(is_valid(r["uscc"]) for r in _read(folder / "science_tech.csv"))


def test_generator_writes_every_extract_as_csv_when_asked(tmp_path):
    written = generate_district(tmp_path, 2023, above=30, below=90, seed=5, workbooks=())
    assert all(p.suffix == ".csv" for p in written) and "science_tech.csv" in {p.name for p in written}
    generate_district(tmp_path, 2023, above=30, below=90, seed=5)  # again, the sample's way: the CSV makes way
    assert (tmp_path / "2023" / "science_tech.xlsx").is_file() and not (tmp_path / "2023" / "science_tech.csv").exists()


def test_generator_has_events_for_every_bonus_and_penalty_item(tmp_path):
    generate_district(tmp_path, 2023)
    folder = tmp_path / "2023"
    for name in (
        "science_tech",
        "industry_it",
        "finance",
        "market_supervision",
        "quality_awards",
        "standards",
        "honors",
        "safety_accidents",
        "environment",
        "land_violations",
        "land_leases",
    ):
        assert _read(folder / f"{name}.csv"), name
    accidents = {r["level"] for r in _read(folder / "safety_accidents.csv")}
    assert {"较大", "重大"} <= accidents
    kinds = {r["kind"] for r in _read(folder / "environment.csv")}
    assert kinds == {"污染处罚", "减排任务未完成"}


def test_committed_sample_years_match_the_generator(tmp_path):
    """data/raw/2022 and 2023 are exactly what `mujun generate` writes (nobody edited them by hand)."""
    from dagster_project.paths import DEFAULT_RAW_DIR

    for year in (2022, 2023):
        for path in generate_district(tmp_path, year):
            assert filecmp.cmp(path, DEFAULT_RAW_DIR / str(year) / path.name, shallow=False), path
