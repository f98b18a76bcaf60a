"""Department templates (`mujun templates --year Y`): one workbook per extract, everything in it
from the data contract and the label tables, and a filled-in template delivered as `<extract>.xlsx`
gives the results of the same data delivered as CSV."""

from __future__ import annotations

import csv
import filecmp
import re
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from conftest import WORKED_RAW, copy_run, run_pipeline, typed
from dagster_project.cli import main
from dagster_project.contract import extracts
from dagster_project.ingest import ingest_extract
from dagster_project.outputs.sheets import display_width
from dagster_project.outputs.templates import write_templates
from dagster_project.paths import SEEDS_DIR

YEAR = 2023
CJK = re.compile(r"[\u4e00-\u9fff]")


def _seed(name: str) -> list[dict]:
    with open(SEEDS_DIR / f"{name}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _column(sheet, index: int):
    """The width and format of a 0-based column (xlsxwriter writes neighbours alike as one range,
    which openpyxl files under the range's first letter)."""
    return next(d for d in sheet.column_dimensions.values() if d.min <= index + 1 <= d.max)


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    return {t.extract.name: t.path for t in write_templates(YEAR, tmp_path_factory.mktemp("templates"))}


def test_one_template_per_extract_named_as_its_delivery_in_its_departments_folder(templates):
    assert set(templates) == set(extracts())
    for name, path in templates.items():
        extract = extracts()[name]
        assert path.name == f"{name}.xlsx"
        assert path.parent.name.startswith(f"{extract.department}_") and path.parent.parent.name == str(YEAR)
    assert templates["multistorey_buildings"].parent.name == "development_zone_自然资源局、开发区"  # no "/" in a folder name
    assert templates["quality_awards"].parent == templates["standards"].parent == templates["market_supervision"].parent


def test_the_data_sheet_has_the_contract_headers_marked_and_commented(templates):
    for name, path in templates.items():
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["说明", name], name
        sheet = book[name]
        columns = extracts()[name].columns
        assert [c.value for c in sheet[1]] == [("＊" if c.value_required else "") + c.header_zh for c in columns]
        assert [c.comment.text.splitlines()[0] for c in sheet[1]] == [f"列名：{c.name}" for c in columns]
        fills = [c.fill.fgColor.rgb for c in sheet[1]]
        assert {f for f, c in zip(fills, columns) if c.value_required} == {"FFF8CBAD"}
        assert {f for f, c in zip(fills, columns) if not c.value_required} <= {"FFDDEBF7"}
        assert sheet.freeze_panes == "A2"
        assert sheet.max_row == 1  # nothing but the header
        for index, column in enumerate(columns):
            assert _column(sheet, index).width >= display_width(sheet[1][index].value), (name, column.name)


NUMBER_FORMATS = {"decimal": "#,##0.00####", "int": "0", "date": "yyyy-mm-dd"}


def test_number_formats_per_value_type_text_columns_are_text(templates):
    sheet = openpyxl.load_workbook(templates["statistics"])["statistics"]
    columns = extracts()["statistics"].columns
    formats = {c.name: _column(sheet, i).number_format for i, c in enumerate(columns)}
    assert formats["uscc"] == formats["industry_code"] == formats["name"] == formats["scale"] == "@"  # 0610 stays 0610
    assert formats["gross_output"] == "#,##0.00####" and formats["above_scale_since"] == "yyyy-mm-dd"
    for name, path in templates.items():
        sheet = openpyxl.load_workbook(path)[name]
        for index, column in enumerate(extracts()[name].columns):
            found = _column(sheet, index).number_format
            assert found == NUMBER_FORMATS.get(column.value_type, "@"), (name, column.name)


def test_option_and_yes_no_columns_have_drop_downs_of_the_accepted_chinese_labels(templates):
    enum_labels: dict[str, list[str]] = {}
    for row in _seed("enum_labels"):
        enum_labels.setdefault(row["enum_name"], []).append(row["label"])
    yes_no = [row["label"] for row in _seed("boolean_labels") if CJK.search(row["label"])]
    assert yes_no == ["是", "否"]
    seen = 0
    for name, path in templates.items():
        sheet = openpyxl.load_workbook(path)[name]
        lists = {str(v.sqref): (v.formula1, v.errorStyle, v.type) for v in sheet.data_validations.dataValidation}
        for index, column in enumerate(extracts()[name].columns):
            letter = openpyxl.utils.get_column_letter(index + 1)
            where = f"{letter}2:{letter}1048576"
            if column.value_type == "bool":
                expected = yes_no
            elif column.value_type == "enum":
                expected = [label for label in enum_labels[column.enum_name] if CJK.search(label)]
                expected = expected or sorted({r["code"] for r in _seed("enum_labels") if r["enum_name"] == column.enum_name})
            else:
                assert where not in lists, (name, column.name)
                continue
            seen += 1
            assert lists[where] == ('"' + ",".join(expected) + '"', None, "list"), (name, column.name)  # errorStyle None = stop
    assert seen == sum(c.value_type in ("enum", "bool") for e in extracts().values() for c in e.columns) == 27
    scale = openpyxl.load_workbook(templates["statistics"])["statistics"].data_validations.dataValidation[0]
    assert scale.formula1 == '"规上,规模以上,规下,规模以下"'
    overrides = openpyxl.load_workbook(templates["overrides"])["overrides"].data_validations.dataValidation[0]
    assert overrides.formula1 == '"A,B,C,D"'  # the classes have no Chinese label: their codes


def _notes_text(path: Path) -> str:
    return "\n".join(str(v) for r in openpyxl.load_workbook(path)["说明"].iter_rows(values_only=True) for v in r if v)


def test_the_instructions_sheet_says_file_year_folder_units_required_columns_and_values(templates):
    notes = openpyxl.load_workbook(templates["statistics"])["说明"]
    rows = [[v for v in r if v is not None] for r in notes.iter_rows(values_only=True)]
    text = "\n".join(" ".join(str(v) for v in r) for r in rows)
    assert rows[0] == ["统计局 2023年度报送模板：企业基本情况、产值与能耗"]
    assert "数据年度 2023 年度" in text
    assert "保存为 statistics.xlsx" in text and "另存为“CSV UTF-8（逗号分隔）”文件 statistics.csv；两种文件只交一个" in text
    assert "填好后交工信局（评价组织单位），放入评价系统的报送文件夹 data/raw/2023/" in text
    assert "本表单位：万元、吨标准煤" in text
    assert "必须填写（统一社会信用代码、企业名称、乡镇街道、行业代码、企业规模）" in text
    assert ["E", "＊企业规模", "scale", "必填", "请使用模板列出的选项", "规上、规模以上、规下、规模以下"] in rows
    assert ["K", "综合能耗(吨标准煤)", "energy_tce", "选填", "吨标准煤", "请填写数字（单位见列名，不带单位文字）"] in rows
    assert ["L", "入规日期", "above_scale_since", "选填", "请按 YYYY-MM-DD 填写日期"] in rows
    leases = _notes_text(templates["land_leases"])
    assert "本表单位：亩" in leases and "乡镇街道/开发区" in leases and "选报" in leases
    parcels = _notes_text(templates["land_parcels"])
    assert "本表单位：平方米" in parcels and "（必报）" in parcels


def test_every_template_string_is_a_string_cell_and_templates_are_reproducible(templates, tmp_path):
    again = {t.extract.name: t.path for t in write_templates(YEAR, tmp_path)}
    assert all(filecmp.cmp(templates[name], again[name], shallow=False) for name in templates)
    for path in templates.values():
        for sheet in openpyxl.load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                assert all(cell.data_type in ("s", "n") for cell in row if cell.value is not None)


def test_a_drop_down_too_long_to_type_lists_its_values_on_a_hidden_sheet(tmp_path):
    from dagster_project.outputs.safe_files import drop_down, workbook

    book = workbook(tmp_path / "x.xlsx")
    sheet, lists = book.add_worksheet("data"), book.add_worksheet("选项")
    lists.hide()
    drop_down(sheet, 1, 0, 99, ["甲,乙", "=1+1"], lists, error_message="x")
    drop_down(sheet, 1, 1, 99, [f"选项{i:03d}" for i in range(60)], lists, error_message="y")
    book.close()
    opened = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert [v.formula1 for v in opened["data"].data_validations.dataValidation] == ["'选项'!$A$1:$B$1", "'选项'!$A$2:$BH$2"]
    assert opened["选项"].sheet_state == "hidden"
    assert [c.value for c in opened["选项"][1]] == ["甲,乙", "=1+1"] + [None] * 58 and opened["选项"]["B1"].data_type == "s"
    assert [c.value for c in opened["选项"][2]] == [f"选项{i:03d}" for i in range(60)]


def test_mujun_templates_writes_the_year_and_names_every_file(tmp_path, capsys):
    assert main(["templates", "--year", "2025", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"税务局：{tmp_path / '2025' / 'tax_税务局' / 'tax.xlsx'}" in out
    assert "2025: 20 个报送模板" in out
    book = openpyxl.load_workbook(tmp_path / "2025" / "tax_税务局" / "tax.xlsx")
    assert "data/raw/2025/" in "".join(str(v) for r in book["说明"].iter_rows(values_only=True) for v in r if v)  # the year asked


# --- round trip: the worked example typed into the templates ------------------------------------


def _fill(templates: dict[str, Path], raw: Path) -> None:
    """Each worked CSV typed into its department's template, as a department does (numbers and
    dates as numbers and dates, text as text), saved under the template's name in the year folder."""
    folder = raw / str(YEAR)
    folder.mkdir(parents=True)
    for path in sorted((WORKED_RAW / str(YEAR)).glob("*.csv")):
        extract = extracts()[path.stem]
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        book = openpyxl.load_workbook(templates[extract.name])
        sheet = book[extract.name]
        for number, row in enumerate(rows, start=2):
            for index, column in enumerate(extract.columns, start=1):
                value = typed(column.value_type, row.get(column.name, ""))
                if value is not None:
                    sheet.cell(number, index, value)
        book.save(folder / extract.workbook_name)


def test_filled_in_templates_land_the_rows_of_the_csv_delivery(templates, tmp_path):
    _fill(templates, tmp_path / "raw")
    query = "select * exclude (load_id, loaded_at, sha256, source_file, sheet) from raw.{} order by line_number"
    book_conn, csv_conn = duckdb.connect(str(tmp_path / "x.duckdb")), duckdb.connect(str(tmp_path / "c.duckdb"))
    for extract in extracts().values():
        summary = ingest_extract(book_conn, extract, YEAR, tmp_path / "raw")
        ingest_extract(csv_conn, extract, YEAR, WORKED_RAW)
        assert book_conn.execute(query.format(extract.name)).fetchall() == csv_conn.execute(query.format(extract.name)).fetchall()
        assert summary.findings == [] or summary.findings == [("file_not_delivered", None, None)], (extract.name, summary.findings)
    assert book_conn.execute("select distinct source_file, sheet from raw.tax").fetchall() == [("tax.xlsx", "tax")]


def test_filled_in_templates_give_the_classification_of_the_csv_delivery(templates, tmp_path, worked):
    raw = copy_run(worked, tmp_path).raw_dir  # the worked example evaluated, then delivered again as workbooks
    shutil.rmtree(raw / str(YEAR))
    _fill(templates, raw)
    assert not list((raw / str(YEAR)).glob("*.csv"))
    run = run_pipeline(tmp_path, raw)
    assert run.status == worked.status
    assert run.csv("classification.csv").equals(worked.csv("classification.csv"))
    assert run.csv("benchmarks.csv").equals(worked.csv("benchmarks.csv"))
    # the same data-quality issues, naming the workbooks the departments delivered
    delivered = "|".join(p.stem for p in (WORKED_RAW / str(YEAR)).glob("*.csv"))
    expected = worked.csv("dq_issues.csv").replace({rf"\b({delivered})\.csv\b": r"\1.xlsx"}, regex=True)
    # but for the column the worked industry_it.csv lacks (specialized_year): a template has every column
    missing = (expected["check"] == "column_missing") & (expected["file"] == "industry_it.xlsx")
    assert missing.sum() == 1
    assert run.csv("dq_issues.csv").equals(expected[~missing].reset_index(drop=True))
    # a finding about an enterprise names the workbook its department delivered
    assert run.one("""select file from marts.dq_issues where "check" = 'parcel_missing'""") == "land_parcels.xlsx"
    assert "tax.xlsx" in set(run.csv("dq_issues.csv")["file"])
