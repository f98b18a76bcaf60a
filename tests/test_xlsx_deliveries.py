"""Workbook deliveries (`<extract>.xlsx`): the same rows, lineage and checks as a CSV delivery, and
every workbook that cannot be used is explained (file, sheet, row, column; Chinese, then English)."""

from __future__ import annotations

import csv
import hashlib
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from conftest import WORKED_RAW, U, copy_run, copy_worked, run_pipeline, typed
from dagster_project.contract import extracts
from dagster_project.delivery_folder import unexpected_entries
from dagster_project.ingest import InputError, ingest_extract

TAX = extracts()["tax"]
# a valid USCC of digits only (its check character is 0): Excel makes a number of it
DIGITS_USCC = "914113031234567000"


def _csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _as_workbook(csv_path: Path, sheet: str | None = None, keep_csv: bool = False, change=None) -> Path:
    """The CSV typed into a workbook beside it, as a department would (numbers and dates typed as
    such), its header in row 1. `change(sheet)` edits the sheet before it is saved."""
    extract = extracts()[csv_path.stem]
    types = {c.name: c.value_type for c in extract.columns}
    rows = _csv_rows(csv_path)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet or extract.name
    ws.append(rows[0])
    for row in rows[1:]:
        ws.append([typed(types[name], text) for name, text in zip(rows[0], row)])
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd"
    if change:
        change(ws)
    target = csv_path.with_suffix(".xlsx")
    book.save(target)
    if not keep_csv:
        csv_path.unlink()
    return target


def _rows(conn, extract: str) -> list[tuple]:
    """The delivered rows as dbt reads them, without what says where they came from."""
    return conn.execute(
        f"select * exclude (load_id, loaded_at, sha256, source_file, sheet) from raw.{extract} order by line_number"
    ).fetchall()


def _ingest(tmp_path: Path, raw: Path, extract: str = "tax", name: str = "w"):
    conn = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
    return conn, ingest_extract(conn, extracts()[extract], 2023, raw)


def _error(tmp_path: Path, raw: Path, extract: str = "tax") -> str:
    conn = duckdb.connect(str(tmp_path / "failed.duckdb"))
    with pytest.raises(InputError) as error:
        ingest_extract(conn, extracts()[extract], 2023, raw)
    assert conn.execute("select count(*) from raw.loads").fetchone() == (0,)  # nothing of it stays
    return str(error.value)


# --- the same rows as a CSV --------------------------------------------------------------------


def test_every_worked_extract_typed_into_a_workbook_lands_the_rows_of_its_csv(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    for path in sorted((raw / "2023").glob("*.csv")):
        _as_workbook(path)
    book_conn = duckdb.connect(str(tmp_path / "xlsx.duckdb"))
    csv_conn = duckdb.connect(str(tmp_path / "csv.duckdb"))
    for extract in extracts().values():
        ingest_extract(book_conn, extract, 2023, raw)
        ingest_extract(csv_conn, extract, 2023, WORKED_RAW)
        assert _rows(book_conn, extract.name) == _rows(csv_conn, extract.name), extract.name
    # 0610 (an industry code typed as text) keeps its leading zero, 2011-01-01 typed as a date
    assert book_conn.execute("select industry_code, above_scale_since from raw.statistics where uscc = ?", [U["癸"]]).fetchone() == (
        "0610",
        "2011-01-01",
    )


def test_a_workbook_delivery_carries_file_sheet_row_and_sha256(tmp_path):
    raw = copy_worked(tmp_path / "raw")

    def gaps(ws):
        ws.insert_rows(2, 2)  # two blank rows under the header: Excel's row numbers move, ours too

    book = _as_workbook(raw / "2023" / "tax.csv", sheet="tax", change=gaps)
    conn, summary = _ingest(tmp_path, raw)

    assert summary.rows_read == 17 and summary.file == "tax.xlsx" and summary.sha256 == hashlib.sha256(book.read_bytes()).hexdigest()
    assert conn.execute("select source_file, sheet, sha256, line_number from raw.tax where uscc = ?", [U["乙"]]).fetchone() == (
        "tax.xlsx",
        "tax",
        summary.sha256,
        5,
    )
    assert conn.execute("select source_file, sheet, encoding, rows_read from raw.loads").fetchall() == [("tax.xlsx", "tax", None, 17)]
    # the same workbook again is the delivery in force: nothing loaded
    again = ingest_extract(conn, TAX, 2023, raw)
    assert again.unchanged and again.load_id == summary.load_id


def test_a_workbook_replaces_the_csv_delivery_in_force_and_back(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    conn, first = _ingest(tmp_path, raw)
    _as_workbook(raw / "2023" / "tax.csv")
    second = ingest_extract(conn, TAX, 2023, raw)
    assert not second.unchanged and second.file == "tax.xlsx" and second.rows_read == 17
    (raw / "2023" / "tax.xlsx").unlink()
    shutil.copy(WORKED_RAW / "2023" / "tax.csv", raw / "2023" / "tax.csv")
    third = ingest_extract(conn, TAX, 2023, raw)  # the same CSV as the first: a new delivery again
    assert not third.unchanged and third.load_id not in (first.load_id, second.load_id)
    assert conn.execute("select source_file, sheet from raw.loads order by loaded_at").fetchall() == [
        ("tax.csv", None),
        ("tax.xlsx", "tax"),
        ("tax.csv", None),
    ]


def test_the_sheet_named_like_the_extract_is_read_else_the_first(tmp_path):
    raw = copy_worked(tmp_path / "raw")

    def notes_first(ws):
        notes = ws.parent.create_sheet("备注", 0)
        notes.append(["本表由税务局填报"])

    _as_workbook(raw / "2023" / "tax.csv", sheet="TAX", change=notes_first)  # case and order do not matter
    conn, summary = _ingest(tmp_path, raw)
    assert (summary.sheet, summary.rows_read) == ("TAX", 17)
    assert not [f for f in summary.findings if f[0] == "sheets_not_read"]  # a sheet of notes is no news

    # a copy of the sheet (Excel's "move or copy"), first and visible, is not read: said to the
    # department (dq_checks.csv: sheets_not_read), not silently ignored
    copied = copy_worked(tmp_path / "copied")

    def copy_first(ws):
        copy = ws.parent.copy_worksheet(ws)
        copy.title = "tax (2)"
        copy.insert_rows(1)
        copy["A1"] = "2023年度税收（更正）"  # a title above the header
        ws.parent.move_sheet(copy, -1)

    _as_workbook(copied / "2023" / "tax.csv", change=copy_first)
    conn, summary = _ingest(tmp_path, copied, name="copied")
    assert (summary.sheet, summary.rows_read) == ("tax", 17)
    assert [f for f in summary.findings if f[0] == "sheets_not_read"] == [("sheets_not_read", None, "“tax (2)”")]

    other = copy_worked(tmp_path / "other")
    _as_workbook(other / "2023" / "tax.csv", sheet="Sheet1")  # someone's own export
    conn, summary = _ingest(tmp_path, other, name="other")
    assert (summary.sheet, summary.rows_read) == ("Sheet1", 17)
    assert not [f for f in summary.findings if f[0] == "sheets_not_read"]


def test_a_hidden_sheet_is_never_read_even_named_like_the_extract(tmp_path):
    """A stale copy kept out of sight (hidden) is no delivery: the visible sheet is read, and the
    hidden one is not reported either (hiding it was the department's own choice)."""
    raw = copy_worked(tmp_path / "raw")

    def stale_copy_hidden(ws):
        ws.title = "2023年度"
        stale = ws.parent.copy_worksheet(ws)
        stale.title = "tax"
        for row in stale.iter_rows(min_row=2, min_col=2, max_col=2):
            row[0].value = (row[0].value or 0) * 3
        stale.sheet_state = "hidden"

    _as_workbook(raw / "2023" / "tax.csv", change=stale_copy_hidden)
    conn, summary = _ingest(tmp_path, raw)
    assert (summary.sheet, summary.rows_read) == ("2023年度", 17)
    assert conn.execute("select tax_paid from raw.tax where uscc = ?", [U["甲"]]).fetchone() == ("600",)
    assert not [f for f in summary.findings if f[0] == "sheets_not_read"]


def test_numbers_typed_as_text_and_dates_as_excel_serial_dates_read_as_in_the_csv(tmp_path):
    raw = copy_worked(tmp_path / "raw")

    def retype(ws):
        ws["B3"] = "240"  # a number typed as text (a text cell, or '240)
        ws["B3"].number_format = "@"
        ws["B4"] = 150.00000000000003  # a float artefact of a computation pasted as a value
        ws["B5"] = " 1,234.5 "  # text as a department pastes it from another system

    _as_workbook(raw / "2023" / "tax.csv", change=retype)

    def serial_dates(ws):
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, datetime):  # a date is a serial number with a date format
                    cell.value = (cell.value - datetime(1899, 12, 30)).days
                    cell.number_format = "yyyy/m/d"
        ws["M9"] = 44742  # 辛's halt date as a bare serial number (General format): Excel shows 44742
        ws["M9"].number_format = "General"

    _as_workbook(raw / "2023" / "statistics.csv", change=serial_dates)
    conn, _ = _ingest(tmp_path, raw)
    assert conn.execute("select line_number, tax_paid from raw.tax where line_number in (3, 4, 5) order by 1").fetchall() == [
        (3, "240"),
        (4, "150"),
        (5, " 1,234.5 "),
    ]
    ingest_extract(conn, extracts()["statistics"], 2023, raw)
    assert conn.execute("select above_scale_since, halted_since from raw.statistics where uscc = ?", [U["辛"]]).fetchone() == (
        "2014-01-01",
        "44742",
    )
    assert conn.execute("select above_scale_since from raw.statistics where uscc = ?", [U["甲"]]).fetchone() == ("2012-03-01",)


def test_a_uscc_that_excel_turned_into_a_number_reads_as_excel_shows_it(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    _as_workbook(raw / "2023" / "tax.csv", change=lambda ws: ws.append([int(DIGITS_USCC), 10, "否"]))
    conn, summary = _ingest(tmp_path, raw)
    # 15 significant digits, as Excel keeps them: never a code that could pass the check
    assert conn.execute("select uscc from raw.tax where line_number = 19").fetchone() == ("9.14113031234567e+17",)


# --- unusable workbooks ------------------------------------------------------------------------


def test_tax_csv_and_tax_xlsx_both_present_is_an_input_error_naming_both(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    _as_workbook(raw / "2023" / "tax.csv", keep_csv=True)
    folder = raw / "2023"
    assert _error(tmp_path, raw) == (
        f"税务局的同一份报送（实缴税费与纳税信用）有两个文件：{folder / 'tax.csv'} 和 {folder / 'tax.xlsx'}，无法确定采用哪一份；"
        f"请删除或移走其中一个后重新运行 / tax is delivered twice, as {folder / 'tax.csv'} and {folder / 'tax.xlsx'}: "
        "remove or move one of them and run again"
    )


def _replace(raw: Path, content: bytes) -> Path:
    (raw / "2023" / "tax.csv").unlink(missing_ok=True)
    path = raw / "2023" / "tax.xlsx"
    path.write_bytes(content)
    return path


def test_a_damaged_workbook_is_an_input_error(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    book = _as_workbook(raw / "2023" / "tax.csv")
    path = _replace(raw, book.read_bytes()[:2000])  # a copy that stopped half-way
    message = _error(tmp_path, raw)
    assert message.startswith(f"无法读取 Excel 工作簿 {path}（文件已损坏：")
    assert "请在 Excel 中打开，“另存为”→ 文件类型选“Excel 工作簿(*.xlsx)”" in message
    assert f" / Cannot read the Excel workbook {path} (damaged: " in message


def test_a_password_protected_workbook_is_an_input_error(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    # Excel stores an encrypted workbook in an OLE container with an EncryptionInfo stream
    path = _replace(raw, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 1000)
    assert _error(tmp_path, raw) == (
        f"{path} 设置了打开密码（已加密），无法读取；请在 Excel 中打开，“文件 → 信息 → 保护工作簿 → 用密码进行加密”，"
        f"删除密码后保存，再重新运行 / {path} is password-protected (encrypted) and cannot be read; remove the "
        "password (File > Info > Protect Workbook > Encrypt with Password), save and run again"
    )


@pytest.mark.parametrize(
    "content, fragments",
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000,
            ["是旧版 Excel 97-2003 工作簿（.xls），只是扩展名改成了 .xlsx", "97-2003 workbook (.xls)"],
        ),
        (b"uscc,tax_paid\n91411303CNEUCAKJ5Y,600\n", ["不是 Excel 工作簿（.xlsx）", "is not an Excel workbook"]),
    ],
    ids=["xls_renamed", "csv_renamed"],
)
def test_a_file_named_xlsx_that_is_no_workbook_is_an_input_error(tmp_path, content, fragments):
    raw = copy_worked(tmp_path / "raw")
    path = _replace(raw, content)
    message = _error(tmp_path, raw)
    assert message.startswith(str(path)) and " / " in message
    for fragment in fragments:
        assert fragment in message


def test_a_sheet_without_the_contract_headers_is_an_input_error_naming_sheet_and_row(tmp_path):
    raw = copy_worked(tmp_path / "raw")

    def title_row(ws):
        ws.insert_rows(1)
        ws["A1"] = "2023年度纳税情况"

    path = _as_workbook(raw / "2023" / "tax.csv", change=title_row)
    assert _error(tmp_path, raw) == (
        f"{path} 工作表“tax” 缺少必需列 “统一社会信用代码”（uscc）、“实缴税费总额(万元)”（tax_paid）"
        "（第1行应为表头；数据应填在名为“tax”的工作表或第一个工作表中，第一行为表头） / "
        f"{path} sheet 'tax' is missing required column(s) uscc, tax_paid (row 1 should be the header; the data "
        "belongs in the sheet named 'tax' or the first sheet)"
    )


def test_an_empty_sheet_of_a_required_extract_is_an_input_error(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    book = openpyxl.Workbook()
    book.active.title = "tax"
    (raw / "2023" / "tax.csv").unlink()
    book.save(raw / "2023" / "tax.xlsx")
    path = raw / "2023" / "tax.xlsx"
    assert _error(tmp_path, raw) == f"{path} 工作表“tax”为空或没有表头 / {path} sheet 'tax' is empty or has no header line"


def test_a_header_only_sheet_of_an_optional_extract_is_delivered_with_nothing_to_report(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    _as_workbook(raw / "2023" / "standards.csv", change=lambda ws: ws.delete_rows(2, 10))
    conn, summary = _ingest(tmp_path, raw, "standards")
    assert summary.delivered and summary.rows_read == 0
    assert ("file_empty", "standards.xlsx") in conn.execute("select check_name, source_file from raw.load_issues").fetchall()


def test_a_formula_cell_is_an_input_error_naming_file_sheet_row_and_column(tmp_path):
    raw = copy_worked(tmp_path / "raw")

    def formulas(ws):
        ws["B7"] = "=B6*2"
        ws["B9"] = "=SUM(B2:B3)"
        ws["D2"] = "=1+1"  # a column of the department's own, outside the contract: not read

    path = _as_workbook(raw / "2023" / "tax.csv", change=formulas)
    assert _error(tmp_path, raw) == (
        f"{path} 工作表“tax”第7行 列“实缴税费总额(万元)”（tax_paid，单元格 B7）是公式“=B6*2”（共 2 个公式单元格）："
        "报送文件只能填写数值；请选中这些单元格，复制后“选择性粘贴 → 数值”，保存后重新运行 / "
        f"{path} sheet 'tax' row 7 column tax_paid (cell B7) holds a formula (2 formula cells in all): "
        "deliver values only (copy, Paste Special > Values), save and run again"
    )


def test_an_error_cell_is_an_input_error_naming_file_sheet_row_and_column(tmp_path):
    raw = copy_worked(tmp_path / "raw")

    def division_by_zero(ws):
        ws["B12"] = "#DIV/0!"  # an error value left after the formula was pasted as a value
        assert ws["B12"].data_type == "e"

    path = _as_workbook(raw / "2023" / "tax.csv", change=division_by_zero)
    assert _error(tmp_path, raw) == (
        f"{path} 工作表“tax”第12行 列“实缴税费总额(万元)”（tax_paid，单元格 B12）是错误值 #DIV/0!（共 1 个公式或错误值单元格）："
        "请改为正确的值或留空，保存后重新运行 / "
        f"{path} sheet 'tax' row 12 column tax_paid (cell B12) holds the error value #DIV/0! (1 formula or error cells in all): "
        "type the right value or leave it empty, save and run again"
    )


def test_a_formula_written_with_a_namespace_prefix_is_found_too(tmp_path):
    """Other programs than Excel may write the sheet's elements with a prefix (`<x:f>`): the search
    for formulas must not look for `<f` only."""
    import zipfile

    raw = copy_worked(tmp_path / "raw")
    path = _as_workbook(raw / "2023" / "tax.csv", change=lambda ws: ws.__setitem__("B7", "=B6*2"))
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    assert "<f>" in sheet
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = sheet.replace("<worksheet ", f'<worksheet xmlns:x="{main}" ', 1).replace("<f>", "<x:f>").replace("</f>", "</x:f>")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-8")
    with zipfile.ZipFile(path, "w") as book:
        for name, content in parts.items():
            book.writestr(name, content)
    message = _error(tmp_path, raw)
    assert "工作表“tax”第7行" in message and "holds a formula (1 formula cells in all)" in message


def test_numbers_read_with_15_significant_digits_as_excel_shows_them():
    """number_text's quick paths give the text of its rule (round to 15 significant digits; positional
    from 10^-6 to below 10^15) for every kind of number: whole, typed decimals, results of sums,
    neighbours of powers of ten."""
    import math
    import random
    import struct
    from decimal import Decimal

    from dagster_project.xlsx_delivery import number_text

    def rule(value: float) -> str:
        if not math.isfinite(value):
            return str(value)
        if value == 0:
            return "0"
        rounded = f"{value:.15g}"
        return format(Decimal(rounded), "f") if 1e-6 <= abs(value) < 1e15 else rounded

    rnd = random.Random(2023)
    values = [0.1 + 0.2, 1234.4999999999998, 1e15 - 0.5, 1e15, 999999999999999.9, 123456789012345.6, 1e-4, 9.9999e-05, 1.5e-05]
    values += [math.nextafter(10.0**e, toward) * sign for e in range(-8, 17) for toward in (0, math.inf) for sign in (1, -1)]
    values += [struct.unpack("d", struct.pack("Q", rnd.getrandbits(64)))[0] for _ in range(20_000)]
    values += [float(f"{rnd.randrange(10**k)}e{rnd.randint(-12, 18) - k}") for k in range(1, 19) for _ in range(2_000)]
    values += [rnd.uniform(-1e6, 1e6) / rnd.choice([3, 7, 100]) for _ in range(20_000)]
    assert number_text(0.1 + 0.2) == "0.3" and number_text(1234.5) == "1234.5" and number_text(1.5e-05) == "0.000015"
    assert [v for v in values if number_text(v) != rule(v)] == []


def test_a_required_workbook_missing_is_named_with_both_names(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    (raw / "2023" / "tax.csv").rename(raw / "2023" / "Tax.xlsx")
    message = _error(tmp_path, raw)
    assert message.startswith("缺少必需文件 tax.csv 或 tax.xlsx（税务局）：")
    assert "文件夹中有 Tax.xlsx，但文件名须为 tax.csv 或 tax.xlsx" in message


# --- the year folder and the sensor ------------------------------------------------------------


def test_a_workbook_under_its_contract_name_is_a_delivery_and_other_workbooks_are_reported(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    folder = raw / "2023"
    _as_workbook(folder / "science_tech.csv")
    for name in ("tax_更正.xlsx", "Science_Tech.xlsx", "统计局_2023.xlsx", "tax.xls"):
        shutil.copy(folder / "science_tech.xlsx", folder / name)
    found = {e.name: (e.extract.name, e.rename_to) for e in unexpected_entries(folder)}
    assert found == {
        "tax_更正.xlsx": ("tax", "tax.xlsx"),
        "Science_Tech.xlsx": ("science_tech", "science_tech.xlsx"),
        "统计局_2023.xlsx": ("statistics", "statistics.xlsx"),
        "tax.xls": ("tax", "tax.xlsx"),
    }


def test_the_sensor_notices_a_workbook_delivered_changed_or_doubled(tmp_path):
    from dagster import build_sensor_context

    from dagster_project.definitions import defs
    from dagster_project.defs.resources import Locations, Warehouse

    raw = tmp_path / "raw"
    shutil.copytree(WORKED_RAW / "2023", raw / "2023")
    sensor = defs.resolve_sensor_def("new_delivery_sensor")

    def tick(cursor):
        context = build_sensor_context(
            cursor=cursor,
            repository_def=defs.get_repository_def(),
            # a warehouse not evaluated yet: every delivery of the year is new to it, each state
            # of the folder asks for one run of the whole year
            resources={"locations": Locations(raw_dir=str(raw)), "warehouse": Warehouse(path=str(tmp_path / "w.duckdb"))},
        )
        result = sensor.evaluate_tick(context)
        return [(r.partition_key, r.tags["mujun/extracts"].split(",")) for r in result.run_requests], result.cursor

    def asks_for_science_tech(requests) -> bool:
        return len(requests) == 1 and requests[0][0] == "2023" and "science_tech" in requests[0][1]

    first, cursor = tick(None)
    assert asks_for_science_tech(first) and tick(cursor)[0] == []
    _as_workbook(raw / "2023" / "science_tech.csv")  # the CSV replaced by the workbook
    assert asks_for_science_tech(tick(cursor)[0])
    _, cursor = tick(cursor)
    book = openpyxl.load_workbook(raw / "2023" / "science_tech.xlsx")
    book["science_tech"]["B2"] = 101
    book.save(raw / "2023" / "science_tech.xlsx")  # a correction
    requests, cursor = tick(cursor)
    assert asks_for_science_tech(requests)
    assert tick(cursor)[0] == []
    shutil.copy(WORKED_RAW / "2023" / "science_tech.csv", raw / "2023" / "science_tech.csv")  # both: the run will say so
    assert asks_for_science_tech(tick(cursor)[0])


# --- end to end: cell errors of a workbook are data-quality rows, as for a CSV --------------------


def test_cell_errors_of_workbook_deliveries_are_data_quality_rows_with_excel_row_numbers(tmp_path, worked):
    raw = copy_run(worked, tmp_path).raw_dir  # the worked example evaluated, then two files re-delivered as workbooks
    _as_workbook(raw / "2023" / "tax.csv", change=lambda ws: ws.append([int(DIGITS_USCC), 10, "否"]))

    def bad_date(ws):
        ws["C3"] = 44742  # a date typed into a General cell: a bare serial number
        ws["C3"].number_format = "General"

    _as_workbook(raw / "2023" / "safety_accidents.csv", change=bad_date)
    run = run_pipeline(tmp_path, raw)
    assert run.status == worked.status
    found = run.query(
        """select file, line, "check", column_name, value, message from marts.dq_issues
           where data_year = 2023 and value in ('44742', '9.14113031234567e+17') order by file"""
    )
    assert found == [
        (
            "safety_accidents.xlsx",
            3,
            "date_invalid",
            "occurred_on",
            "44742",
            "safety_accidents.xlsx 第3行 列“发生日期”（occurred_on）：“44742”不是日期（应为 YYYY-MM-DD 或 YYYY/M/D） / "
            "safety_accidents.xlsx line 3 column occurred_on: 44742 is not a date (YYYY-MM-DD or YYYY/M/D)",
        ),
        (
            "tax.xlsx",
            19,
            "uscc_invalid",
            "uscc",
            "9.14113031234567e+17",
            "tax.xlsx 第19行 列“统一社会信用代码”（uscc）：统一社会信用代码“9.14113031234567e+17”不符合GB 32100校验 / "
            "tax.xlsx line 19 column uscc: USCC 9.14113031234567e+17 fails the GB 32100 check",
        ),
    ]
    # everything else is what the CSV delivery gives, under the workbooks' names
    issues = run.csv("dq_issues.csv")
    rest = issues[~issues["line"].isin(["3", "19"]) | ~issues["file"].isin(["tax.xlsx", "safety_accidents.xlsx"])]
    rest = rest.reset_index(drop=True)
    renamed = {r"\btax\.csv\b": "tax.xlsx", r"\bsafety_accidents\.csv\b": "safety_accidents.xlsx"}
    assert rest.equals(worked.csv("dq_issues.csv").replace(renamed, regex=True))
    assert run.one("select count(*) from raw.safety_accidents where sheet = 'safety_accidents'") == 2
    # the reconciliation of the deliveries names the files as delivered
    files = run.query(
        "select extract, file from marts.delivery_reconciliation "
        "where data_year = 2023 and extract in ('tax', 'safety_accidents', 'statistics')"
    )
    assert sorted(files) == [("safety_accidents", "safety_accidents.xlsx"), ("statistics", "statistics.csv"), ("tax", "tax.xlsx")]


def test_values_beside_the_table_in_columns_without_a_header_are_reported_not_lost(tmp_path):
    """A CSV line with more cells than its header stops the run; a sheet has room to the right of
    the table, and what is typed there is said (a warning naming the cells), not dropped quietly."""
    raw = copy_worked(tmp_path / "raw")

    def beside(sheet):
        sheet["E2"] = "备注：已更正"
        sheet["E4"] = 12
        sheet["G3"] = "?"
        sheet["F5"] = "   "  # blank: nothing to say

    _as_workbook(raw / "2023" / "tax.csv", change=beside)
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    summary = ingest_extract(conn, extracts()["tax"], 2023, raw)
    assert [f for f in summary.findings if f[0] == "cell_without_header"] == [
        ("cell_without_header", None, "E2、E4"),
        ("cell_without_header", None, "G3"),
    ]
    assert summary.rows_read == len(_csv_rows(WORKED_RAW / "2023" / "tax.csv")) - 1  # every row kept
    with open(Path(__file__).parents[1] / "data" / "seeds" / "dq_checks.csv", encoding="utf-8") as f:
        wording = next(r for r in csv.DictReader(f) if r["check_name"] == "cell_without_header")
    assert wording["severity"] == "warning" and "没有表头" in wording["message_zh"]


def test_a_value_far_outside_the_table_is_an_input_error_naming_the_cell_not_a_crash(tmp_path):
    """calamine holds a sheet's rectangle from A1 to its farthest value: one stray value at
    XFD1048576 (17 billion cells) made it abort the whole process without a word. Such a sheet,
    the delivered one or another visible one, is refused naming the cell; formatting alone far
    away, or a value in a far column of a short table, is read as before."""
    raw = copy_worked(tmp_path / "raw")

    def stray(cell: str, value, sheet: str | None = None):
        def change(ws):
            target = ws.parent.create_sheet(sheet) if sheet else ws
            target[cell] = value

        return change

    for cell, sheet in (("XFD1048576", None), ("AH1048576", None), ("XFD1048576", "说明")):
        _as_workbook(raw / "2023" / "tax.csv", keep_csv=True, change=stray(cell, "x", sheet))
        (raw / "2023" / "tax.csv").rename(tmp_path / "tax.csv")
        message = _error(tmp_path, raw)
        assert f"工作表“{sheet or 'tax'}”中的单元格 {cell} 远在表格之外" in message and "1048576 行" in message, message
        assert f"cell {cell} lies far outside the table" in message
        (tmp_path / "tax.csv").rename(raw / "2023" / "tax.csv")
        (raw / "2023" / "tax.xlsx").unlink()

    def formatted_far_away_and_a_value_far_right(ws):
        ws["XFD1048576"].number_format = "0.00"  # formatting alone: no value
        ws["XFD3"] = "备注"  # 20 rows × 16384 columns: read, and said (no header above it)

    _as_workbook(raw / "2023" / "tax.csv", change=formatted_far_away_and_a_value_far_right)
    _, summary = _ingest(tmp_path, raw)
    assert summary.rows_read == len(_csv_rows(WORKED_RAW / "2023" / "tax.csv")) - 1
    assert ("cell_without_header", None, "XFD3") in summary.findings


def _with_sheet_xml(path: Path, change) -> None:
    """Rewrite the first worksheet's XML of a workbook (as other programs than Excel write it)."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, content in parts.items():
            book.writestr(name, content)


def test_a_far_cell_written_otherwise_is_refused_and_one_not_seen_meets_the_reading_processs_memory_ceiling(tmp_path):
    """A cell reference in single quotes, after another attribute, in lower case: refused naming
    the cell. A far row written before the first one escapes that reading; calamine then runs out
    of the memory its own process may take, and the run says so instead of being aborted with it."""
    raw = copy_worked(tmp_path / "raw")
    workbook = _as_workbook(raw / "2023" / "tax.csv", keep_csv=True)
    (raw / "2023" / "tax.csv").rename(tmp_path / "tax.csv")
    original = workbook.read_bytes()
    far_row = b'<row r="1048576"><c t="n" r=\'xfd1048576\'><v>1</v></c></row>'
    _with_sheet_xml(workbook, lambda xml: xml.replace(b"</sheetData>", far_row + b"</sheetData>"))
    assert "单元格 XFD1048576 远在表格之外" in _error(tmp_path, raw)

    workbook.write_bytes(original)
    _with_sheet_xml(workbook, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + far_row))
    message = _error(tmp_path, raw)
    assert "tax.xlsx 读取时所需内存超过" in message and "GB 的上限，未能读取" in message and "needs more than" in message, message


def test_a_damaged_part_of_a_workbook_is_an_input_error_naming_the_file(tmp_path):
    """The zip opens, but a sheet's compressed data is damaged: said as a damaged workbook (the run
    stopped with zlib's English words, naming no file)."""
    import struct

    raw = copy_worked(tmp_path / "raw")
    workbook = _as_workbook(raw / "2023" / "tax.csv")
    data = bytearray(workbook.read_bytes())
    header = data.find(b"PK\x03\x04")  # the first local file header
    while header >= 0:
        name_length, extra_length = struct.unpack_from("<HH", data, header + 26)
        name = bytes(data[header + 30 : header + 30 + name_length])
        start = header + 30 + name_length + extra_length
        if name == b"xl/worksheets/sheet1.xml":
            size = struct.unpack_from("<I", data, header + 18)[0]
            data[start + size // 3 : start + size // 3 + 20] = b"\xff" * 20
            break
        header = data.find(b"PK\x03\x04", start)
    workbook.write_bytes(bytes(data))
    message = _error(tmp_path, raw)
    assert "无法读取 Excel 工作簿" in message and "tax.xlsx" in message and "Cannot read the Excel workbook" in message, message
