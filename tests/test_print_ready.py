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
                # its cells' gridlines print: a row can be followed across a wide page
                assert sheet.print_options.gridLines, where


def test_a_score_sheet_column_of_one_header_spans_both_header_rows(worked):
    """附表二/四: 序号, 企业名称…总得分, 企业类别 are one cell over both header rows, as on the paper
    form; the groups (基本指标, 加分项, 减分项) span their items."""
    book = load_workbook(worked.export_dir / "2023" / "亩均效益评价结果_2023.xlsx")
    for sheet in book.worksheets[:2]:
        merged = {str(r) for r in sheet.merged_cells.ranges}
        singles = [cell for cell in sheet[2] if cell.value and sheet.cell(row=3, column=cell.column).value is None]
        assert [c.value for c in singles][:4] == ["序号", "企业名称", "统一社会信用代码", "乡镇街道"], sheet.title
        assert "调档情况" in [c.value for c in singles], sheet.title
        for cell in singles:
            assert f"{cell.column_letter}2:{cell.column_letter}3" in merged, (sheet.title, cell.value)
        groups = [c for c in sheet[2] if c.value and c.value.startswith(("基本指标", "加分项", "减分项"))]
        assert len(groups) == 3 and all(any(r.startswith(f"{c.coordinate}:") for r in merged) for c in groups), sheet.title


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


def _width(sheet, column: int) -> float:
    """The width of a 1-based column (xlsxwriter writes neighbours alike as one range)."""
    return next((d.width for d in sheet.column_dimensions.values() if d.min and d.min <= column <= d.max), 8.43)


def _header_row(sheet) -> int:
    """The last repeated row: the table's header."""
    return int(sheet.print_title_rows.split(":")[-1].strip("$"))


def test_text_wraps_within_its_column_and_rows_are_as_tall_as_their_text(worked):
    """Nothing printed is cut off or runs over its neighbours: a text longer than its column wraps,
    and its row is given the lines it needs (LibreOffice and WPS do not fit rows on opening)."""
    from dagster_project.outputs.sheets import LINE_HEIGHT, text_lines

    wrapped = 0
    for path in _books(worked):
        for sheet in load_workbook(path).worksheets:
            if not sheet.print_title_rows or sheet.title == "选项":
                continue
            top = _header_row(sheet)
            for row in sheet.iter_rows(min_row=top):
                for cell in row:
                    if not isinstance(cell.value, str) or cell.coordinate in sheet.merged_cells:
                        continue
                    width = _width(sheet, cell.column)
                    lines = text_lines(cell.value, width)
                    if lines == 1:
                        continue
                    where = f"{path.name}:{sheet.title}!{cell.coordinate}"
                    assert cell.alignment.wrap_text, where
                    height = sheet.row_dimensions[cell.row].height
                    assert height is not None and height >= LINE_HEIGHT * lines, where
                    wrapped += 1
    assert wrapped > 20  # the worked example has long names, adjustments and messages


def test_every_number_of_every_workbook_has_a_fixed_format(worked):
    for path in _books(worked):
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                        assert cell.number_format != "General", f"{path.name}:{sheet.title}!{cell.coordinate}"


def test_sheets_print_upright_when_they_fit_the_page(worked):
    from dagster_project.outputs.sheets import PORTRAIT_WIDTH

    for path in _books(worked):
        for sheet in load_workbook(path).worksheets:
            if sheet.page_setup.paperSize in ("8", 8) or not sheet.print_title_rows:
                continue  # the 附表 on A3; notes
            width = sum(d.width * (d.max - d.min + 1) for d in sheet.column_dimensions.values())
            expected = "landscape" if width > PORTRAIT_WIDTH else "portrait"
            assert (sheet.page_setup.orientation or "portrait") == expected, f"{path.name}:{sheet.title}"


def test_the_method_note_fits_an_upright_page_and_names_no_rule_table(worked):
    from dagster_project.outputs.sheets import LINE_HEIGHT, PORTRAIT_WIDTH, text_lines

    sheet = load_workbook(worked.export_dir / "2023" / "亩均效益评价结果_2023.xlsx")["评价说明"]
    width = _width(sheet, 1)
    assert width <= PORTRAIT_WIDTH and (sheet.page_setup.orientation or "portrait") == "portrait"
    lines = [c.value for c in sheet["A"] if c.value]
    for cell in sheet["A"][1:]:
        if cell.value:
            height = sheet.row_dimensions[cell.row].height or LINE_HEIGHT  # the default height is left out
            assert cell.alignment.wrap_text and height >= LINE_HEIGHT * text_lines(cell.value, width)
    # the caps themselves rather than the name of the rule table that holds them
    assert not any("indicator_points" in line for line in lines)
    assert any("规上：亩均税收48分、亩均产值48分、单位能耗总产值24分" in line for line in lines)


def test_reward_public_list_has_title_term_and_contact_and_changes_say_why_empty(worked):
    with open(SETTINGS, encoding="utf-8") as f:
        settings = {r["setting"]: r["value"] for r in csv.DictReader(f)}
    folder = worked.export_dir / "2023"
    sheet = load_workbook(folder / "奖励公示_2023.xlsx")["奖励公示"]
    lines = [sheet.cell(row=n, column=1).value for n in (1, 2, 3)]
    assert lines[0] == f"{settings['district_name']}2023年度规模工业企业发展奖励公示"
    assert settings["notice_period"] in lines[1] and settings["objection_contact"] in lines[2]
    assert sheet.print_title_rows == "$4:$4" and "2023" in sheet.oddHeader.left.text
    # the worked example is evaluated once: its changes sheet says so rather than being blank
    changes = load_workbook(folder / "变更对比_2023.xlsx")["变更对比"]
    assert changes.max_row == 2 and changes["A2"].value == "这是本年度的第一次运行，没有可对比的上一次运行。"


def test_every_row_of_a_long_sheet_decides_its_columns_decimals_and_width(tmp_path):
    """A column of whole numbers with a 1.5 in its 2,001st row prints 1.5, not 2 (the format was
    once chosen from the first 1,000 rows); the widest number, wherever it is, fits its column."""
    import openpyxl

    from dagster_project.outputs.sheets import Book

    rows = [[f"企业{i}", 2, 10] for i in range(2500)]
    rows[2000][1] = 1.5
    rows[2400][2] = -123456789.25
    book = Book(tmp_path / "b.xlsx")
    book.table("得分表", ["企业名称", "加分", "金额"], rows, [20, 8, 8])
    book.close()
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx")["得分表"]
    assert sheet["B2002"].value == 1.5 and sheet["B2002"].number_format == "0.0"
    assert sheet["B2"].number_format == "0.0"  # the whole column in one format
    assert sheet["C2402"].number_format == "0.00"
    assert sheet.column_dimensions["C"].width >= len("-123,456,789.25")


def test_lists_of_names_are_in_pinyin_order(worked):
    """The public notice, the index of diagnosis pages and the townships' summary list townships
    (and names within them) as a bureau's lists do, by pinyin: 车站 (chē) before 光武 (guāng)…
    英庄 (yīng), not by character code (七里园乡 first)."""
    from html.parser import HTMLParser

    folder = worked.export_dir / "2023"
    with open(folder / "公示名单_2023.csv", encoding="utf-8-sig", newline="") as f:
        notice = [row["乡镇街道"] for row in csv.DictReader(f)]
    townships = list(dict.fromkeys(notice))
    assert townships == ["光武街道", "潦河镇", "蒲山镇", "七里园乡", "石桥镇", "王村街道", "卧龙岗街道", "武侯街道", "英庄镇"]

    class Cells(HTMLParser):
        cells: list[str] = []

        def handle_data(self, data):
            if data.endswith(("街道", "镇", "乡")) and data != "乡镇街道":  # (the column's header)
                self.cells.append(data)

    parser = Cells()
    parser.feed((folder / "企业体检报告索引_2023.html").read_text(encoding="utf-8"))
    assert list(dict.fromkeys(parser.cells))[:3] == ["车站街道", "光武街道", "靳岗街道"]
    summary = load_workbook(folder / "亩均效益评价结果_2023.xlsx", read_only=True)["乡镇街道汇总"]
    listed = [row[0] for row in summary.iter_rows(min_row=2, values_only=True) if row[0]]
    assert listed[:3] == ["车站街道", "光武街道", "靳岗街道"] and listed[-1] == "英庄镇"
