"""Hostile deliveries: ingestion is atomic, unusable files are explained, stray files are named.

- A failure between any two statements of an ingestion (raised, or the process killed) leaves the
  warehouse exactly as before that delivery; the next run gives what a clean run gives, also on a
  warehouse damaged by the ingestion of old (rows without their raw.loads record).
- Each kind of unusable file is exit status 2 with a bilingual message naming the file (and line).
- Files in the year folder outside the contract are named on the console and are warnings in
  dq_issues.csv, in the department whose file they resemble; the results are otherwise unchanged.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from conftest import WORKED_RAW, U, copy_run, copy_worked, run_pipeline
from dagster_project.contract import extracts
from dagster_project.ingest import InputError, ingest_extract

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

TAX = extracts()["tax"]


# --- atomic ingestion ------------------------------------------------------------------------


class _FailAt:
    """A connection whose statement number `fail_at` raises before it runs (the rollback a
    failing ingestion issues itself is never made to fail: a crash is tested separately)."""

    def __init__(self, conn, fail_at: int):
        self._conn, self.fail_at, self.count = conn, fail_at, 0

    def _step(self, sql: str) -> None:
        if sql.strip().lower() == "rollback":
            return
        self.count += 1
        if self.count == self.fail_at:
            raise RuntimeError(f"injected failure before statement {self.count}: {sql.split()[0]}")

    def execute(self, sql, *args):
        self._step(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql, *args):
        self._step(sql)
        return self._conn.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def _state(conn) -> dict:
    """Every raw and quality table, in full."""
    tables = conn.execute(
        "select table_schema || '.' || table_name from information_schema.tables where table_schema in ('raw', 'quality') order by 1"
    ).fetchall()
    return {t: sorted(conn.execute(f"select * from {t}").fetchall(), key=repr) for (t,) in tables}


def _comparable(conn) -> dict:
    """The raw tables without what differs between two honest runs (load ids and times)."""
    return {
        "tax": sorted(
            conn.execute(
                "select data_year, source_file, sha256, line_number, uscc, tax_paid, credit_rating_d from raw.tax "
                "where load_id = (select load_id from raw.loads where extract = 'tax' order by loaded_at desc limit 1)"
            ).fetchall()
        ),
        "tax_rows": conn.execute("select count(*) from raw.tax").fetchone(),
        "loads": conn.execute(
            "select extract, data_year, source_file, sha256, encoding, rows_read, delivered from raw.loads order by loaded_at"
        ).fetchall(),
        "issues": sorted(
            conn.execute(
                "select extract, data_year, source_file, line_number, check_name, column_name, value, load_id is null from raw.load_issues"
            ).fetchall(),
            key=repr,
        ),
    }


def _two_deliveries(raw: Path) -> None:
    """The first tax.csv is in force; the second corrects one USCC and adds a column outside the
    contract (so the delivery has rows, a load record and issues), and a stray copy lies beside."""
    path = raw / "2023" / "tax.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",备注"] + [row.replace("91411303GWXUCJMA40", "91411303GWXUCJMA4F") + "," for row in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(path, raw / "2023" / "tax_更正.csv")


def _clean(tmp_path: Path, raw: Path) -> dict:
    conn = duckdb.connect(str(tmp_path / "clean.duckdb"))
    ingest_extract(conn, TAX, 2023, WORKED_RAW)
    ingest_extract(conn, TAX, 2023, raw)
    return _comparable(conn)


def test_a_failure_between_any_two_statements_leaves_the_warehouse_as_before(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    _two_deliveries(raw)
    clean = _clean(tmp_path, raw)
    assert clean["tax_rows"] == (34,) and len(clean["loads"]) == 2
    assert ("tax", 2023, "tax_更正.csv", None, "file_unexpected", None, "tax.csv", True) in clean["issues"]

    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_extract(conn, TAX, 2023, WORKED_RAW)
    before = _state(conn)
    fail_at, statements = 1, None
    while statements is None or fail_at <= statements:
        proxy = _FailAt(conn, fail_at)
        with pytest.raises(RuntimeError, match="injected"):
            ingest_extract(proxy, TAX, 2023, raw)
        assert _state(conn) == before, f"warehouse changed by a failure before statement {fail_at}"
        if statements is None:
            counter = _FailAt(duckdb.connect(str(tmp_path / "count.duckdb")), 0)
            ingest_extract(counter, TAX, 2023, WORKED_RAW)
            counter.count = 0
            ingest_extract(counter, TAX, 2023, raw)
            statements = counter.count
        fail_at += 1
    # every statement was tried, the insert of the rows and the commit among them
    assert statements >= 8
    ingest_extract(conn, TAX, 2023, raw)
    assert _comparable(conn) == clean


_CRASH = textwrap.dedent(
    """
    import os, sys, duckdb
    from pathlib import Path
    from dagster_project.contract import extracts
    from dagster_project.ingest import ingest_extract

    class Crash:
        # the process dies right after the statement that matches (no rollback, no close)
        def __init__(self, conn, after):
            self.conn, self.after = conn, after
        def execute(self, sql, *args):
            result = self.conn.execute(sql, *args)
            if self.after in " ".join(sql.split()):
                os._exit(9)
            return result
        def __getattr__(self, name):
            return getattr(self.conn, name)

    conn = duckdb.connect(sys.argv[1])
    ingest_extract(Crash(conn, sys.argv[3]), extracts()["tax"], 2023, Path(sys.argv[2]))
    """
)


@pytest.mark.parametrize("after", ["insert into raw.tax", "insert into raw.loads", "insert into raw.load_issues values (?"])
def test_a_process_killed_mid_ingestion_leaves_the_warehouse_as_before(tmp_path, after):
    raw = copy_worked(tmp_path / "raw")
    _two_deliveries(raw)
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        ingest_extract(conn, TAX, 2023, WORKED_RAW)
        before = _state(conn)
    crashed = subprocess.run([sys.executable, "-c", _CRASH, str(warehouse), str(raw), after], capture_output=True)
    assert crashed.returncode == 9, crashed.stderr.decode()
    with duckdb.connect(str(warehouse)) as conn:
        assert _state(conn) == before
        ingest_extract(conn, TAX, 2023, raw)
        assert _comparable(conn) == _clean(tmp_path, raw)


def test_a_run_failing_right_after_the_row_insert_is_repaired_by_the_next_run(tmp_path, capsys, monkeypatch, worked):
    """The issue's case end to end: the statement after the insert of tax.csv's rows fails."""
    import dagster_project.ingest as ingest

    check_cell_sizes = ingest._check_cell_sizes

    def fail(conn, extract, *args):
        if extract.name == "tax":
            raise OSError("No space left on device (injected)")
        return check_cell_sizes(conn, extract, *args)

    raw = copy_worked(tmp_path / "raw")
    with monkeypatch.context() as patch:
        patch.setattr(ingest, "_check_cell_sizes", fail)
        failed = run_pipeline(tmp_path, raw)
    assert failed.status == 1
    assert "运行失败 / run failed" in capsys.readouterr().out
    assert failed.one("select count(*) from raw.tax") == 0
    assert failed.one("select count(*) from raw.loads where extract = 'tax'") == 0
    # the statistics delivery before it is committed, whole
    assert failed.one("select rows_read from raw.loads where extract = 'statistics'") == 17

    again = run_pipeline(tmp_path, raw)
    assert again.status == worked.status
    for name in ("classification.csv", "benchmarks.csv", "dq_issues.csv"):
        assert again.csv(name).equals(worked.csv(name)), name


def test_a_warehouse_damaged_by_the_old_ingestion_repairs_itself(tmp_path):
    """The old code inserted the rows, then the load record: a crash in between left rows whose
    load id has no record, and the retry repeated that id. Such rows never count."""
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    first = ingest_extract(conn, TAX, 2023, WORKED_RAW)
    conn.execute("delete from raw.loads")
    conn.execute("delete from raw.load_issues")
    conn.execute("update raw.tax set load_id = '2023-tax-001-' || substr(sha256, 1, 12)")
    assert conn.execute("select count(*) from raw.tax").fetchone() == (17,)
    # the same file delivered again is loaded (nothing is in force), exactly once
    again = ingest_extract(conn, TAX, 2023, WORKED_RAW)
    assert not again.unchanged and again.rows_read == 17 and again.load_id != first.load_id
    assert conn.execute("select count(*), count(distinct line_number) from raw.tax").fetchone() == (17, 17)
    assert conn.execute("select count(*) from raw.tax where load_id like '2023-tax-001-%'").fetchone() == (0,)


def test_load_ids_never_repeat_and_sort_like_their_load_time(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    ids = [ingest_extract(conn, TAX, 2023, WORKED_RAW).load_id]
    with pytest.raises(RuntimeError):
        _two_deliveries(raw)
        ingest_extract(_FailAt(conn, 5), TAX, 2023, raw)
    ids.append(ingest_extract(conn, TAX, 2023, raw).load_id)
    ids.append(ingest_extract(conn, TAX, 2023, WORKED_RAW).load_id)
    assert len(set(ids)) == 3 and all(i.startswith("2023-tax-") for i in ids)
    by_time = [r[0] for r in conn.execute("select load_id from raw.loads order by loaded_at").fetchall()]
    assert by_time == ids == sorted(ids)


def _expectation_rules():
    """The suite's rules as the reference layer would hold them (no dbt run in this test): the
    rule parameters still in force, straight from the seed."""
    import csv

    from dagster_project.expectations import ExpectationRules
    from dagster_project.paths import SEEDS_DIR

    with open(SEEDS_DIR / "rule_parameters.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return ExpectationRules({r["parameter"]: float(r["value"]) for r in rows if r["scale"] == "all" and not r["to_year"]})


def test_expectation_results_are_replaced_whole_or_not_at_all(tmp_path):
    from dagster_project.expectations import judge

    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_id = ingest_extract(conn, TAX, 2023, WORKED_RAW).load_id
    rules = _expectation_rules()
    # the profile dbt's validation would give a clean tax file of 20 rows (no dbt run here)
    profile = {"rows": 20, "uscc__missing": 0.0, "uscc__unreadable": 0.0, "tax_paid__missing": 0.0, "tax_paid__median": 120.0}
    judge(conn, TAX, 2023, load_id, profile, rules)
    before = _state(conn)
    assert len(before["quality.expectation_results"]) > 3
    # a changed profile is judged again: the results are replaced in one transaction, after the
    # results table is ensured (3 statements) and looked up (1), twice (3 more), and begun (1)
    for fail_at, statement in ((9, "delete"), (10, "insert"), (11, "commit")):
        with pytest.raises(RuntimeError, match=f"injected failure before statement {fail_at}: {statement}"):
            judge(_FailAt(conn, fail_at), TAX, 2023, load_id, {**profile, "rows": 21}, rules)
        assert _state(conn) == before


# --- unusable files --------------------------------------------------------------------------


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _header_only(name):
    return name, lambda y: _write(y / name, _lines(y / name)[:1])


def _delimiter(name, delimiter):
    return name, lambda y: _write(y / name, [row.replace(",", delimiter) for row in _lines(y / name)])


def _encoded(name, encoding):
    return name, lambda y: (y / name).write_bytes((y / name).read_text(encoding="utf-8").encode(encoding))


def _cell(name, line, column, text):
    def mutate(y):
        lines = _lines(y / name)
        cells = lines[line - 1].split(",")
        cells[column] = text
        lines[line - 1] = ",".join(cells)
        _write(y / name, lines)

    return name, mutate


def _row(name, line, change):
    def mutate(y):
        lines = _lines(y / name)
        lines[line - 1] = change(lines[line - 1])
        _write(y / name, lines)

    return name, mutate


def _workbook(name):
    def mutate(y):
        import openpyxl

        book = openpyxl.Workbook()
        book.active.append(["uscc", "tax_paid"])
        book.save(y / name)

    return name, mutate


UNUSABLE = {
    # case: ((file, mutate), message fragments besides the file name)
    "header_only_statistics": (_header_only("statistics.csv"), ["只有表头", "no data rows"]),
    "header_only_tax": (_header_only("tax.csv"), ["只有表头", "no data rows"]),
    "header_only_land_parcels": (_header_only("land_parcels.csv"), ["只有表头", "no data rows"]),
    "header_and_empty_cells_only": (
        ("tax.csv", lambda y: _write(y / "tax.csv", _lines(y / "tax.csv")[:1] + [",,", " , ,"])),
        ["只有表头", "no data rows"],
    ),
    "empty_required_file": (("land_parcels.csv", lambda y: (y / "land_parcels.csv").write_bytes(b"")), ["为空", "empty"]),
    "blank_lines_only_required_file": (("tax.csv", lambda y: (y / "tax.csv").write_bytes(b"\r\n \r\n")), ["为空", "empty"]),
    "empty_cells_only_required_file": (("tax.csv", lambda y: (y / "tax.csv").write_bytes(b",,\r\n,,\r\n")), ["为空", "empty"]),
    # the header below a blank line, or below a line of empty cells (a spreadsheet's empty first row)
    "blank_line_before_header": (
        ("tax.csv", lambda y: _write(y / "tax.csv", ["", *_lines(y / "tax.csv")])),
        ["第1行没有列名", "表头须在第一行", "line 1", "the header must be the first line"],
    ),
    "empty_cells_before_header": (
        ("statistics.csv", lambda y: _write(y / "statistics.csv", [",,,", *_lines(y / "statistics.csv")])),
        ["第1行没有列名", "删去表头之前的空行", "line 1"],
    ),
    "semicolons": (_delimiter("tax.csv", ";"), ["分号", "英文逗号", "CSV UTF-8", "semicolons"]),
    "tabs": (_delimiter("statistics.csv", "\t"), ["制表符", "英文逗号", "tabs"]),
    "vertical_bars": (_delimiter("land_parcels.csv", "|"), ["竖线", "vertical bars"]),
    "utf16_le_with_bom": (_encoded("tax.csv", "utf-16"), ["UTF-16", "另存为", "CSV UTF-8（逗号分隔）"]),
    "utf16_le_no_bom": (_encoded("tax.csv", "utf-16-le"), ["UTF-16", "另存为"]),
    "utf16_be_no_bom": (_encoded("statistics.csv", "utf-16-be"), ["UTF-16", "另存为"]),
    "xlsx_named_csv": (_workbook("tax.csv"), ["Excel 工作簿", "另存为", "CSV UTF-8", "或把文件改名为 tax.xlsx", "rename it to tax.xlsx"]),
    "field_1mb": (_cell("statistics.csv", 5, 1, '"' + "名" * 1_000_000 + '"'), ["第5行", "line 5", "name", "32767"]),
    "field_20mb": (_cell("tax.csv", 9, 1, '"' + "9" * 20_000_000 + '"'), ["第9行", "line 9", "tax_paid"]),
    "field_40k_unquoted": (_cell("land_parcels.csv", 3, 1, "x" * 40_000), ["第3行", "line 3", "parcel_id"]),
    "row_with_extra_cell": (_row("tax.csv", 7, lambda row: row + ",多余"), ["第7行", "4 个单元格", "line 7"]),
    "row_with_missing_cell": (_row("statistics.csv", 12, lambda row: row.rsplit(",", 2)[0]), ["第12行", "line 12"]),
    "row_split_by_unquoted_comma": (_row("land_parcels.csv", 4, lambda row: row.replace("-", ",", 1)), ["第4行", "line 4"]),
    "unterminated_quote": (_cell("tax.csv", 6, 1, '"240'), ["第6行", "line 6", "双引号未闭合"]),
    "carriage_return_in_unquoted_cell": (_cell("statistics.csv", 4, 2, "王村\r街道"), ["第4行", "line 4", "回车符"]),
    "nul_byte": (_cell("tax.csv", 8, 1, "24\x000"), ["第8行", "line 8", "NUL"]),
    # a UTF-8 BOM, then bytes that are not UTF-8 (GBK text behind the BOM); the byte position counts the BOM
    "bom_then_not_utf8": (
        ("tax.csv", lambda y: (y / "tax.csv").write_bytes(b"\xef\xbb\xbfuscc,tax_paid\n" + "甲".encode("gbk") + b",1\n")),
        ["BOM", "第2行", "字节位置 17", "不是 UTF-8", "另存为", "byte order mark", "line 2", "byte 17"],
    ),
    # a UTF-8 file with one stray byte on line 4: GB18030 fails on it earlier, where the UTF-8
    # Chinese is; the UTF-8 place is the one named
    "utf8_with_one_stray_byte": (
        (
            "statistics.csv",
            lambda y: (y / "statistics.csv").write_bytes(
                b"\n".join(
                    line.replace(b",", b",\xa0", 1) if n == 3 else line
                    for n, line in enumerate((y / "statistics.csv").read_bytes().split(b"\n"))
                )
            ),
        ),
        ["无法识别文件编码", "按 UTF-8 读，第4行", "as UTF-8 at line 4", "另存为"],
    ),
    "unclosed_quote_in_header": (
        ("tax.csv", lambda y: (y / "tax.csv").write_bytes((y / "tax.csv").read_bytes().replace(b"uscc,tax_paid", b'uscc,"tax_paid', 1))),
        ["第1行", "表头中的英文双引号未闭合", "line 1", "quote in the header"],
    ),
    "nul_byte_at_end": (
        ("land_parcels.csv", lambda y: (y / "land_parcels.csv").write_bytes((y / "land_parcels.csv").read_bytes() + b"\x00")),
        ["NUL", "damaged"],
    ),
}


@pytest.mark.parametrize("case", UNUSABLE)
def test_an_unusable_file_is_an_input_error_naming_file_and_line(tmp_path, case):
    (name, mutate), fragments = UNUSABLE[case]
    raw = copy_worked(tmp_path / "raw")
    mutate(raw / "2023")
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(InputError) as error:
        ingest_extract(conn, extracts()[name.removesuffix(".csv")], 2023, raw)
    message = str(error.value)
    assert f"2023/{name}" in message and " / " in message
    for fragment in fragments:
        assert fragment in message
    assert "Traceback" not in message and "Possible fixes" not in message
    # nothing of the failed delivery stays in the warehouse
    assert conn.execute("select count(*) from raw.loads").fetchone() == (0,)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_file_with_bare_carriage_returns_as_line_ends_reads_like_the_original(tmp_path, encoding):
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone."""
    raw = copy_worked(tmp_path / "raw")
    statistics = raw / "2023" / "statistics.csv"
    statistics.write_bytes(statistics.read_text(encoding="utf-8").replace("\n", "\r").encode(encoding))
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    summary = ingest_extract(conn, extracts()["statistics"], 2023, raw)
    reference = duckdb.connect(str(tmp_path / "reference.duckdb"))
    ingest_extract(reference, extracts()["statistics"], 2023, WORKED_RAW)
    columns = "line_number, uscc, name, township, industry_code, scale, gross_output"
    assert summary.rows_read == 17
    assert (
        conn.execute(f"select {columns} from raw.statistics order by line_number").fetchall()
        == reference.execute(f"select {columns} from raw.statistics order by line_number").fetchall()
    )


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_file_with_bare_carriage_returns_and_a_line_feed_in_a_quoted_cell_is_read_cell_by_cell(tmp_path, encoding):
    """A CR-only file whose first name holds a line break (Alt+Enter in Excel): its line ends are
    still the CRs, and the record of that name spans two lines."""
    raw = copy_worked(tmp_path / "raw")
    statistics = raw / "2023" / "statistics.csv"
    lines = statistics.read_text(encoding="utf-8").splitlines()
    uscc, name, rest = lines[1].split(",", 2)
    lines[1] = f'{uscc},"{name[:3]}\n{name[3:]}",{rest}'
    statistics.write_bytes("\r".join(lines).encode(encoding) + b"\r")
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    summary = ingest_extract(conn, extracts()["statistics"], 2023, raw)
    reference = duckdb.connect(str(tmp_path / "reference.duckdb"))
    ingest_extract(reference, extracts()["statistics"], 2023, WORKED_RAW)
    expected = reference.execute(
        "select line_number, uscc, name, township, gross_output from raw.statistics order by line_number"
    ).fetchall()
    expected = [(line if line == 2 else line + 1, u, n if line != 2 else f"{n[:3]}\n{n[3:]}", t, g) for line, u, n, t, g in expected]
    assert summary.rows_read == 17
    assert (
        conn.execute("select line_number, uscc, name, township, gross_output from raw.statistics order by line_number").fetchall()
        == expected
    )


TAX_ROWS = "select line_number, uscc, tax_paid from raw.tax order by line_number"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_a_header_cell_with_a_line_break_is_one_header_and_the_records_keep_their_lines(tmp_path, encoding, line_end):
    """A header typed with Alt+Enter in Excel ("实缴税费⏎总额(万元)") is quoted across two lines:
    it is the column all the same, and the first record is on line 3."""
    raw = copy_worked(tmp_path / "raw")
    tax = raw / "2023" / "tax.csv"
    lines = tax.read_text(encoding="utf-8").splitlines()
    lines[0] = '统一社会信用代码,"实缴税费\n总额(万元)",是否D级纳税人'
    tax.write_bytes(line_end.join(lines).encode(encoding) + line_end.encode())
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    summary = ingest_extract(conn, extracts()["tax"], 2023, raw)
    reference = duckdb.connect(str(tmp_path / "reference.duckdb"))
    ingest_extract(reference, extracts()["tax"], 2023, WORKED_RAW)
    expected = [(line + 1, uscc, paid) for line, uscc, paid in reference.execute(TAX_ROWS).fetchall()]
    assert summary.rows_read == 17
    assert conn.execute(TAX_ROWS).fetchall() == expected


@pytest.mark.parametrize("case", ["header_only_tax", "semicolons", "utf16_be_no_bom", "field_1mb", "row_with_extra_cell"])
def test_mujun_evaluate_exits_2_naming_the_unusable_file(tmp_path, capsys, case):
    (name, mutate), fragments = UNUSABLE[case]
    raw = copy_worked(tmp_path / "raw")
    mutate(raw / "2023")
    run = run_pipeline(tmp_path, raw)
    out = capsys.readouterr().out
    assert run.status == 2
    assert "输入无法使用 / input unusable" in out and name in out
    for fragment in fragments:
        assert fragment in out
    assert "Traceback" not in out
    assert not (run.export_dir / "2023" / "classification.csv").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"",  # left empty
        b"\r\n\r\n",  # blank lines only
        "uscc,standard_code,level,role,year\r\n".encode("gb18030"),  # a header only (Excel, GBK)
        "统一社会信用代码,标准编号,标准级别,角色,年度\n,,,,\n , ,,,\n".encode("utf-8-sig"),  # empty cells only
        b',,,\r\n"","",,\r\n',  # empty cells and no header either (a spreadsheet saved with nothing in it)
    ],
)
def test_an_optional_file_without_data_rows_is_delivered_with_nothing_to_report(tmp_path, content):
    raw = copy_worked(tmp_path / "raw")
    (raw / "2023" / "standards.csv").write_bytes(content)
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    summary = ingest_extract(conn, extracts()["standards"], 2023, raw)
    assert summary.delivered and summary.rows_read == 0 and not summary.unchanged
    assert conn.execute("select rows_read, delivered from raw.loads").fetchall() == [(0, True)]
    assert ("file_empty", None, None) in conn.execute(
        "select check_name, column_name, value from raw.load_issues where load_id = ?", [summary.load_id]
    ).fetchall()


def test_lines_of_empty_cells_are_blank_lines_and_keep_line_numbers(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    path = raw / "2023" / "tax.csv"
    lines = _lines(path)
    lines[1:1] = [",,", " , ,"]  # what Excel leaves of cleared rows (and of cells holding blanks)
    lines[-1:-1] = ["\u3000,\u00a0,\t"]
    _write(path, lines + [",,", ",,"])
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert ingest_extract(conn, TAX, 2023, raw).rows_read == 17
    assert conn.execute("select min(line_number), max(line_number) from raw.tax").fetchone() == (4, 21)
    assert conn.execute("select line_number from raw.tax where uscc = '91411303GWXUCJMA40'").fetchone() == (21,)


@pytest.mark.parametrize(
    ("encoding", "line_end", "last_line_end"),
    [("utf-8", "\n", ""), ("utf-8-sig", "\r\n", "\r\n"), ("gb18030", "\r\n", ""), ("utf-8", "\r", "\r")],
)
def test_lines_of_blanks_only_are_blank_lines_and_keep_line_numbers(tmp_path, encoding, line_end, last_line_end):
    """Spaces, a tab, the full-width space a Chinese input method types, a no-break space: a line
    of those alone is no record (DuckDB read it as a record of one cell, which stopped the whole
    file), wherever it is, the last line without its line end included. Inside a quoted cell the
    same blanks are part of the value."""
    raw = copy_worked(tmp_path / "raw")
    path = raw / "2023" / "tax.csv"
    lines = _lines(path)
    lines[1:1] = [" ", "\t", "\u3000\u3000"]
    lines[5] = lines[5].replace(",是", ',"是\n \n"')  # 乙's credit-rating cell spans three lines
    lines += ["\u00a0 ", "  "]
    path.write_bytes((line_end.join(lines) + last_line_end).encode(encoding))
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert ingest_extract(conn, TAX, 2023, raw).rows_read == 17
    assert conn.execute("select min(line_number), max(line_number) from raw.tax").fetchone() == (5, 23)
    assert conn.execute("select line_number from raw.tax where uscc = '91411303GWXUCJMA40'").fetchone() == (23,)
    # 乙's row: its cell as delivered (line ends inside a quoted cell read as line feeds)
    assert conn.execute("select line_number, credit_rating_d from raw.tax where uscc = ?", [U["乙"]]).fetchone() == (6, "是\n \n")


@pytest.mark.parametrize("above", ["2023年度企业实缴税费", "sep=,"])
def test_a_line_above_the_header_is_named_as_the_cause(tmp_path, above):
    """A title line, or the `sep=,` line some programs write: no column of the contract is found,
    and the message says why, not only which columns are missing."""
    raw = copy_worked(tmp_path / "raw")
    path = raw / "2023" / "tax.csv"
    _write(path, [above] + _lines(path))
    with pytest.raises(InputError) as error:
        ingest_extract(duckdb.connect(str(tmp_path / "w.duckdb")), TAX, 2023, raw)
    assert "缺少必需列" in error.value.description and "第1行应为表头：请删除表头上方的标题行" in error.value.description


def test_values_under_a_blank_header_cell_are_reported_not_lost(tmp_path):
    """A CSV column whose header cell is blank is not used (no contract column to put it in), but
    what it holds is said, cell by cell as Excel names them, as for a workbook; empty cells there
    (a trailing comma on every line) are nothing to say."""
    raw = copy_worked(tmp_path / "raw")
    path = raw / "2023" / "tax.csv"
    lines = _lines(path)
    lines = [lines[0] + ",,"] + [line + (",备注,x" if n in (2, 5) else ",,") for n, line in enumerate(lines[1:], start=2)]
    lines.insert(3, "")  # a blank line: the records after it are one line further down
    _write(path, lines)
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    summary = ingest_extract(conn, TAX, 2023, raw)
    assert summary.rows_read == 17
    assert [f for f in summary.findings if f[0] == "cell_without_header"] == [
        ("cell_without_header", None, "D2、D6"),
        ("cell_without_header", None, "E2、E6"),
    ]


# --- files outside the contract ----------------------------------------------------------------

STRAY = {
    # file in the year folder -> (department the warning goes to, contract name it should take)
    "Tax.CSV": ("tax", "tax.csv"),
    "tax_更正.csv": ("tax", "tax.csv"),
    "Tax.xlsx": ("tax", "tax.xlsx"),
    "tax.xls": ("tax", "tax.xlsx"),
    "tax.csv.bak": ("tax", "tax.csv"),
    "standards (1).csv": ("market_supervision", "standards.csv"),
    "LAND_PARCELS-2023.csv": ("natural_resources", "land_parcels.csv"),
    "统计局补报.csv": ("statistics", "statistics.csv"),
    "更正/": ("industry_it", "<extract>.csv"),
    "说明.docx": ("industry_it", "<extract>.csv"),
}
# made by the operating system or an open workbook: nobody delivers them, nobody can act on them
HIDDEN = [".DS_Store", "._tax.csv", "~$tax.xlsx", ".~lock.tax.csv#", "Thumbs.db"]


def _plant_strays(year_dir: Path) -> None:
    for name in STRAY:
        if name.endswith("/"):
            (year_dir / name).mkdir()
            shutil.copy(year_dir / "tax.csv", year_dir / name / "tax.csv")
        else:
            (year_dir / name).write_bytes((year_dir / "tax.csv").read_bytes().replace(b",240,", b",999,"))
    for name in HIDDEN:
        (year_dir / name).write_bytes(b"x")


def test_files_outside_the_contract_are_named_and_reported_but_not_used(tmp_path, capsys, worked):
    raw = copy_run(worked, tmp_path).raw_dir  # the worked example evaluated: then the strays appear
    year_dir = raw / "2023"
    _plant_strays(year_dir)
    # an optional file with a header only is delivered with nothing to report: a warning
    _write(year_dir / "quality_awards.csv", ["uscc,award,year"])
    run = run_pipeline(tmp_path, raw)
    out = capsys.readouterr().out

    assert run.status == worked.status
    for name in STRAY:
        assert f"未采用的文件 / file NOT used: {year_dir / name}" in out
    for name in HIDDEN:
        assert name not in out
    issues = run.csv("dq_issues.csv")
    stray = issues[issues["check"] == "file_unexpected"]
    assert sorted(zip(stray["file"], stray["department"], stray["severity"])) == sorted(
        (name, department, "warning") for name, (department, _) in STRAY.items()
    )
    tax_copy = stray[stray["file"] == "tax_更正.csv"].iloc[0]
    assert tax_copy["message"] == (
        "tax_更正.csv 不是约定的报送文件，未被采用（不参与评价）；如需用它替换报送，请改名为 tax.csv 后重新运行 / "
        "tax_更正.csv is not a file of the contract and was NOT used; to deliver it rename it to tax.csv and run again"
    )
    empty = issues[issues["check"] == "file_empty"]
    assert list(zip(empty["file"], empty["department"], empty["severity"])) == [("quality_awards.csv", "market_supervision", "warning")]
    # nothing else changed: same classes, and the same issues but for the warnings above
    assert run.csv("classification.csv").equals(worked.csv("classification.csv"))
    assert run.csv("benchmarks.csv").equals(worked.csv("benchmarks.csv"))
    expected = worked.csv("dq_issues.csv")
    expected = expected[~((expected["file"] == "quality_awards.csv") & (expected["check"] == "file_not_delivered"))]
    rest = issues[~issues["check"].isin(["file_unexpected", "file_empty"])]
    assert rest.reset_index(drop=True).equals(expected.reset_index(drop=True))
    # the warnings land in the department reports
    report = (run.export_dir / "2023" / "data_quality" / "tax_税务局.html").read_text(encoding="utf-8")
    assert "tax_更正.csv" in report and "Tax.CSV" in report

    # removed from the folder, they are no longer reported (same warehouse, next run)
    for name in STRAY:
        shutil.rmtree(year_dir / name) if name.endswith("/") else (year_dir / name).unlink()
    (year_dir / "quality_awards.csv").unlink()
    again = run_pipeline(tmp_path, raw)
    assert again.status == worked.status
    assert again.csv("dq_issues.csv").equals(worked.csv("dq_issues.csv"))
    assert again.one("select count(*) from raw.load_issues where check_name = 'file_unexpected'") == 0


def test_a_required_file_under_another_name_is_missing_and_the_message_says_so(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    (raw / "2023" / "tax.csv").rename(raw / "2023" / "Tax.CSV")
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(InputError, match=r"缺少必需文件 tax\.csv.*文件夹中有 Tax\.CSV，但文件名须为 tax\.csv"):
        ingest_extract(conn, TAX, 2023, raw)


def test_file_names_that_are_not_utf8_are_reported_readably(tmp_path):
    """A Windows archive unpacked on Linux names its files in GBK: such a name is read as
    GB18030 (and attributed to the department it names); bytes that are no text at all show as
    U+FFFD. The run used to stop on them."""
    import os

    from dagster_project import delivery_folder

    raw = copy_worked(tmp_path / "raw")
    folder = os.fsencode(raw / "2023")
    for name in ("税务局更正.csv".encode("gbk"), b"\xff\xfe-scan.pdf"):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(b"x")
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_extract(conn, TAX, 2023, raw)  # the tax department's: the name says 税务局
    ingest_extract(conn, delivery_folder.default_extract(), 2023, raw)  # resembling no extract
    rows = conn.execute("select extract, source_file from raw.load_issues where check_name = 'file_unexpected'").fetchall()
    assert ("tax", "税务局更正.csv") in rows
    assert [f for _, f in rows if f.endswith("-scan.pdf")] == ["\ufffd\ufffd-scan.pdf"]
