"""Every workbook prints as people expect (issue: what people see): A4 or the 附表's A3, one
page wide, header rows repeated, a heading and "第X页/共Y页" on every page, numbers in a fixed
format; the public notice has its title, 公示期 and objection contact from the bureau's settings."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

SETTINGS = Path(__file__).parents[1] / "data" / "seeds" / "district_settings.csv"


def _books(run):
    return sorted((run.export_dir / "2023").rglob("*.xlsx"))


def test_every_sheet_of_every_workbook_has_its_page_setup(worked):
    books = _books(worked)
    assert len(books) >= 6
    for path in books:
        for sheet in load_workbook(path).worksheets:
            where = f"{path.name}:{sheet.title}"
            assert sheet.page_setup.paperSize in ("9", "8", 9, 8), where  # A4, or A3 for the 附表
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, where
            # one page wide (1 is the file format's default, which the writer leaves out), any number tall
            assert str(sheet.page_setup.fitToWidth) in ("1", "None") and str(sheet.page_setup.fitToHeight) == "0", where
            assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text, where
            assert sheet.oddHeader.left.text, where
            if sheet.max_row > 2 and sheet.max_column > 1:  # a table, not a note
                assert sheet.print_title_rows, where


def test_the_year_is_in_the_printed_heading(worked):
    for path in _books(worked):
        sheet = load_workbook(path).worksheets[0]
        assert "2023" in sheet.oddHeader.left.text, path.name


def test_numbers_have_a_fixed_format_not_general(worked):
    book = load_workbook(worked.export_dir / "2023" / "亩均效益评价结果_2023.xlsx")
    sheet = next(s for s in book.worksheets if "附表二" in s.title)
    # the score sheet's group header row names 总得分 and 名次; the first enterprise is on row 4
    header = [c.value for c in sheet[2]]
    total, rank = header.index("总得分") + 1, header.index("名次") + 1
    assert sheet.cell(row=4, column=total).number_format == "0.0000"  # 128 prints as 128.0000 beside 127.1938
    assert sheet.cell(row=4, column=rank).number_format == "0"
    assert all(c.number_format != "General" for c in sheet[4] if isinstance(c.value, (int, float)))
    benchmarks = book["基准值"]
    assert benchmarks["B2"].number_format.startswith("0.")


def test_public_notice_has_title_term_and_contact_from_the_settings(worked):
    with open(SETTINGS, encoding="utf-8") as f:
        settings = {r["setting"]: r["value"] for r in csv.DictReader(f)}
    sheet = load_workbook(worked.export_dir / "2023" / "公示名单_2023.xlsx")["公示名单"]
    lines = [sheet.cell(row=n, column=1).value for n in (1, 2, 3)]
    assert lines[0] == f"{settings['district_name']}2023年度制造业企业分类综合评价结果公示"
    assert settings["notice_period"] in lines[1] and lines[1].startswith("公示期")
    assert settings["objection_contact"] in lines[2]
    assert sheet.print_title_rows == "$4:$4"  # the list's header on every page
    assert sheet.page_setup.orientation in (None, "portrait")  # four columns fit upright
