"""Sheet names and row heights come from labels and settings a bureau edits (a scale's short label
makes 规上得分表（附表二）, a reward item's label its sheet, the objection contact a notice's line):
whatever they hold, the workbook is written and opens, rather than the run failing at the end."""

from __future__ import annotations

import openpyxl

from dagster_project.outputs.sheets import MAX_ROW_HEIGHT, Book


def test_any_label_makes_a_valid_sheet_name(tmp_path):
    book = Book(tmp_path / "b.xlsx")
    names = [
        "规上/工业:企业得分表（附表二）",  # characters Excel refuses
        "[草稿]*?\\",
        "'引号'",  # an apostrophe at either end
        "乡镇产值贡献奖" * 6,  # longer than 31 characters
        "乡镇产值贡献奖" * 6 + "（另一项）",  # the same first 31 characters
        "汇总",
        "汇总",
        "HUIZONG",
        "huizong",  # Excel compares names whatever the case
        "",
    ]
    for name in names:
        book.table(name, ["列"], [["值"]])
    book.close()
    written = openpyxl.load_workbook(tmp_path / "b.xlsx", read_only=True).sheetnames
    assert written[:3] == ["规上／工业：企业得分表（附表二）", "［草稿］＊？＼", "’引号’"]
    assert written[3] == ("乡镇产值贡献奖" * 6)[:31] and written[4] == ("乡镇产值贡献奖" * 6)[:28] + "（2）"
    assert written[5:9] == ["汇总", "汇总（2）", "HUIZONG", "huizong（2）"]
    assert written[9] == "表"
    assert all(len(name) <= 31 for name in written) and len({n.casefold() for n in written}) == len(written)


def test_a_very_long_text_keeps_its_row_within_excels_tallest(tmp_path):
    book = Book(tmp_path / "b.xlsx")
    contact = "异议受理：" + "联系电话与地址；" * 450  # 3,600 characters
    book.table("公示名单", ["企业名称", "乡镇街道"], [["甲", contact]], [36, 16], preamble=["标题", contact])
    book.close()
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx")["公示名单"]
    heights = [dimension.height for dimension in sheet.row_dimensions.values() if dimension.height]
    assert MAX_ROW_HEIGHT - 1 <= max(heights) <= MAX_ROW_HEIGHT  # (stored in pixels: 408.75)
    assert sheet["A2"].value == contact  # the text itself is whole
