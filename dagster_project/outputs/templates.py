"""Delivery templates for the departments (`mujun templates --year Y`): one Excel workbook per
extract, named as the delivery it becomes (`<extract>.xlsx`), in one folder per department.

Everything in a template comes from the data contract (extracts.csv, extract_columns.csv) and the
label tables (enum_labels.csv, boolean_labels.csv, dq_checks.csv): the Chinese headers and their
units, which columns are required, the accepted values of every option and 是/否 column, and
what to write in each column (the advice the data-quality report gives when a cell is wrong).

A template has two sheets:
- 说明: what the file is, the data year, its file name and where it goes, the legend of required
  columns, and one line per column (header, English column name, required, unit, what to write,
  accepted values);
- `<extract>` (the sheet ingestion reads): row 1 is the header, Chinese, required columns marked
  ＊ and filled orange, the English column name in each header cell's comment; a drop-down of the
  accepted labels on each option and 是/否 column; number formats per value type (text columns
  are text, so USCCs and industry codes keep leading zeros); widths that show the header; the
  header row frozen. Data go from row 2 down, so row numbers in the data-quality report are the
  rows people see.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from ..contract import REQUIRED_MARK, Column, Extract, extracts
from ..delivery_folder import default_extract
from ..paths import SEEDS_DIR
from ..xlsx_delivery import column_letters
from .safe_files import drop_down, fits_in_validation, safe_file_name
from .sheets import EXCEL_MAX_ROWS, Book, display_width, lines_height

SHEET_NOTES = "说明"
LISTS_SHEET = "选项"  # hidden: drop-down values too long to type into a validation
REQUIRED_FILL = "#F8CBAD"
OPTIONAL_FILL = "#DDEBF7"
# Excel's number format per value type of the contract; a column of text is text ("@"), so that
# what is typed is kept as typed (0610 stays 0610, a USCC of digits stays a code).
NUMBER_FORMATS = {"decimal": "#,##0.00####", "int": "0", "date": "yyyy-mm-dd"}
TEXT_FORMAT = "@"
# The check the validation runs on a cell of each value type (dbt/macros/contract.sql cell_check):
# its advice in dq_checks.csv is what the template says to write in the column.
CELL_CHECKS = {
    "uscc": "uscc_invalid",
    "decimal": "decimal_invalid",
    "int": "int_invalid",
    "date": "date_invalid",
    "bool": "bool_invalid",
    "enum": "enum_unknown",
    "industry_code": "industry_code_invalid",
}
_UNIT = re.compile(r"[(（]([^()（）]+)[)）]\s*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Fixed creation time of a template, so that the same contract and year give the same bytes.
CREATED = datetime(2000, 1, 1)


def _seed(name: str) -> list[dict]:
    with open(SEEDS_DIR / f"{name}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def _enum_labels() -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {}
    for row in _seed("enum_labels"):
        labels.setdefault(row["enum_name"], []).append(row["label"])
    return labels


@lru_cache(maxsize=1)
def _enum_codes() -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for row in _seed("enum_labels"):
        if row["code"] not in codes.setdefault(row["enum_name"], []):
            codes[row["enum_name"]].append(row["code"])
    return codes


@lru_cache(maxsize=1)
def _advice() -> dict[str, str]:
    return {row["check_name"]: row["action_zh"] for row in _seed("dq_checks")}


def accepted_values(column: Column) -> list[str]:
    """What a department may choose in an option or 是/否 column: the Chinese labels the contract
    accepts (the codes where an option has no Chinese label, as the classes A–D); [] otherwise."""
    if column.value_type == "bool":
        return [row["label"] for row in _seed("boolean_labels") if _CJK.search(row["label"])]
    if column.value_type == "enum":
        chinese = [label for label in _enum_labels().get(column.enum_name, []) if _CJK.search(label)]
        return chinese or _enum_codes().get(column.enum_name, [])
    return []


def unit(column: Column) -> str:
    """The unit the Chinese header names in brackets: 工业总产值(万元) -> 万元."""
    found = _UNIT.search(column.header_zh)
    return found.group(1) if found else ""


def header(column: Column) -> str:
    return f"{REQUIRED_MARK}{column.header_zh}" if column.value_required else column.header_zh


def typed_value(column: Column, text: str):
    """A delivered text as a person types it into the template: a number or a date where the
    column holds one and the text reads as one, else the text; None for an empty cell."""
    if text == "":
        return None
    if column.value_type in ("decimal", "int") and re.fullmatch(r"-?\d+(\.\d+)?", text):
        number = float(text)
        return int(number) if number.is_integer() else number
    if column.value_type == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    return text


@dataclass(frozen=True)
class Template:
    extract: Extract
    path: Path


def department_folder(extract: Extract) -> str:
    """`<department>_<部门>`, as the department's data-quality report is named."""
    return f"{extract.department}_{safe_file_name(extract.department_zh)}"


def write_templates(year: int, out_dir: Path) -> list[Template]:
    """Every extract's template for the data year, under `<out_dir>/<year>/<department>_<部门>/`."""
    written = []
    for extract in extracts().values():
        folder = Path(out_dir) / str(year) / department_folder(extract)
        folder.mkdir(parents=True, exist_ok=True)
        written.append(Template(extract, write_template(folder / extract.workbook_name, extract, year)))
    return written


def write_template(path: Path, extract: Extract, year: int, rows: list[dict] | None = None) -> Path:
    """The template of one extract; `rows` (contract column -> delivered text) are typed into it
    as a department would (the sample district ships a department's filled-in template)."""
    book = Book(path, heading=f"{extract.department_zh} {year}年度报送模板：{extract.title_zh}", created=CREATED)
    formats = _Formats(book)
    _notes(book, formats, extract, year)
    _data_sheet(book, formats, extract, rows or [])
    book.close()
    return path


class _Formats:
    def __init__(self, book: Book):
        add = book.workbook.add_format
        frame = {"bold": True, "valign": "vcenter", "text_wrap": True, "border": 1, "border_color": "#999999"}
        self.required = add(frame | {"bg_color": REQUIRED_FILL})
        self.optional = add(frame | {"bg_color": OPTIONAL_FILL})
        self.title, self.wrap = book.title, book.wrap
        self.label = add({"bold": True, "valign": "top"})
        self.columns = {kind: add({"num_format": pattern}) for kind, pattern in NUMBER_FORMATS.items()}
        self.text = add({"num_format": TEXT_FORMAT})
        self.date_value = self.columns["date"]

    def of(self, column: Column):
        return self.columns.get(column.value_type, self.text)


def _notes(book: Book, formats: _Formats, extract: Extract, year: int) -> None:
    """The instructions sheet, first in the workbook."""
    sheet = book.sheet(SHEET_NOTES)
    sheet.set_landscape()
    required_names = "、".join(c.header_zh for c in extract.columns if c.value_required)
    units = list(dict.fromkeys(unit(c) for c in extract.columns if unit(c)))  # in column order, once each
    organiser = default_extract().department_zh
    mode = "必报" if extract.required else "选报（没有相关数据的，可以不报送，或交回只有表头的本文件）"
    lines = [
        ("数据年度", f"{year} 年度（按 {year} 年度的数据填写）"),
        ("报送单位", extract.department_zh),
        ("报送内容", f"{extract.title_zh}（{mode}）"),
        (
            "在哪里填写",
            f"工作表“{extract.name}”：第1行是表头，请勿修改、删除或移动；从第2行起每行填写一条记录，中间不要留空行。"
            "请勿合并单元格，不要使用公式（从其他表格复制来的公式请“选择性粘贴 → 数值”）。",
        ),
        (
            "文件名",
            f"保存为 {extract.workbook_name}（Excel 工作簿 .xlsx，文件名不可更改，也不要加“更正”“(1)”等字样）。"
            f"也可以另存为“CSV UTF-8（逗号分隔）”文件 {extract.file_name}；两种文件只交一个。",
        ),
        (
            "交到哪里",
            f"填好后交{organiser}（评价组织单位），放入评价系统的报送文件夹 data/raw/{year}/。"
            "发现错误时改正本文件后重新交，新文件替换上一次报送。",
        ),
        ("必填列", f"表头带“{REQUIRED_MARK}”、底色为橙色的列必须填写（{required_names}）；蓝色的列没有数据时留空。"),
        ("单位", f"本表单位：{'、'.join(units)}，以表头括号中的单位为准，单元格中只填数字，不带单位文字。" if units else "无"),
        ("空值", "没有的数据请留空，不要用 0 代替，也不要填“无数据”“/”等文字：留空表示没有数据，0 表示数值为零。"),
        ("下拉选项", "带下拉箭头的列只能从列表中选择（见下表“可填写的值”）。"),
    ]
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 2, 22)
    sheet.set_column(3, 4, 8)
    sheet.set_column(5, 6, 40)
    sheet.merge_range(0, 0, 0, 6, f"{extract.department_zh} {year}年度报送模板：{extract.title_zh}", formats.title)
    row = 2
    for label, text in lines:
        sheet.write_string(row, 0, label, formats.label)
        sheet.merge_range(row, 1, row, 6, text, formats.wrap)
        sheet.set_row(row, lines_height(max(1, -(-display_width(text) // 110))))
        row += 1
    legend = row + 1
    sheet.write_string(legend, 0, "图例", formats.label)
    sheet.write_string(legend, 1, f"{REQUIRED_MARK}必填列", formats.required)
    sheet.write_string(legend, 2, "选填列", formats.optional)
    table = legend + 2
    sheet.write_row(table, 0, ["列", "表头（中文）", "列名（英文）", "必填", "单位", "填写要求", "可填写的值"], formats.optional)
    for offset, column in enumerate(extract.columns, start=1):
        advice = _advice().get(CELL_CHECKS.get(column.value_type, ""), "")
        values = "、".join(accepted_values(column))
        sheet.write_row(
            table + offset,
            0,
            [
                column_letters(offset - 1),
                header(column),
                column.name,
                "必填" if column.value_required else "选填",
                unit(column),
                advice,
                values,
            ],
            formats.wrap,
        )
    sheet.repeat_rows(table)


def _data_sheet(book: Book, formats: _Formats, extract: Extract, rows: list[dict]) -> None:
    """The sheet ingestion reads: header in row 1, data from row 2."""
    sheet = book.sheet(extract.name, grid=True)
    if len(extract.columns) > 6:
        sheet.set_landscape()
    lists = None
    for index, column in enumerate(extract.columns):
        width = max(display_width(header(column)), len(column.name), 20 if column.value_type == "uscc" else 10) + 2
        sheet.set_column(index, index, width, formats.of(column))
        sheet.write_string(0, index, header(column), formats.required if column.value_required else formats.optional)
        requirement = "必填" if column.value_required else "选填"
        sheet.write_comment(0, index, f"列名：{column.name}\n{requirement}", {"x_scale": 1.5})
        values = accepted_values(column)
        if values:
            if lists is None and not fits_in_validation(values):
                lists = book.workbook.add_worksheet(LISTS_SHEET)
                lists.hide()
            drop_down(
                sheet,
                1,
                index,
                EXCEL_MAX_ROWS - 1,
                values,
                lists,
                error_message=f"请从下拉列表中选择：{'、'.join(values)}"[:255],
            )
    sheet.freeze_panes(1, 0)
    sheet.repeat_rows(0)
    for number, record in enumerate(rows, start=1):
        for index, column in enumerate(extract.columns):
            delivered = record.get(column.name)
            value = typed_value(column, "" if delivered is None else str(delivered))
            if value is None:
                continue
            if isinstance(value, date):
                sheet.write_datetime(number, index, datetime(value.year, value.month, value.day), formats.date_value)
            elif isinstance(value, str):
                sheet.write_string(number, index, value, formats.of(column))
            else:
                sheet.write_number(number, index, value, formats.of(column))
