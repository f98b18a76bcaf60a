"""Ingestion: encodings, header variants, exact line numbers, re-delivery."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from conftest import WORKED_RAW, U, copy_run, copy_worked, run_pipeline
from dagster_project.contract import extracts
from dagster_project.ingest import InputError, ingest_extract


def _rewrite(raw: Path, encoding: str, chinese_headers: bool) -> None:
    """Re-deliver every file of the folder in another encoding and/or with Chinese headers."""
    for path in (raw / "2023").glob("*.csv"):
        extract = extracts()[path.stem]
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        if chinese_headers:
            zh = {c.name: c.header_zh for c in extract.columns}
            # Excel users add spaces and type full-width brackets: both must still match
            rows[0] = [" " + zh[h].replace("(", "（").replace(")", "）") + " " for h in rows[0]]
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        path.write_bytes(out.getvalue().encode(encoding))


def _raw_rows(warehouse: Path, raw: Path) -> dict[str, list[tuple]]:
    """Every extract of the folder ingested, each table's rows as dbt reads them (lineage but the
    load's own id, hash and time)."""
    with duckdb.connect(str(warehouse)) as conn:
        for extract in extracts().values():
            ingest_extract(conn, extract, 2023, raw)
        return {
            name: conn.execute(f"select * exclude (load_id, sha256, loaded_at) from raw.{name} order by line_number").fetchall()
            for name in extracts()
        }


VARIANTS = [("gb18030", True), ("utf-8-sig", False), ("utf-8-sig", True)]


@pytest.mark.parametrize("encoding, chinese", VARIANTS)
def test_encoding_and_header_variants_are_ingested_as_identical_rows(tmp_path, encoding, chinese):
    raw = copy_worked(tmp_path / "raw")
    _rewrite(raw, encoding, chinese)
    assert _raw_rows(tmp_path / "variant.duckdb", raw) == _raw_rows(tmp_path / "worked.duckdb", WORKED_RAW)


def test_encoding_and_header_variants_give_identical_results(tmp_path, worked):
    """End to end once, with the variant furthest from the worked example (GB18030, Chinese headers);
    the test above shows the other variants reach dbt as the same rows."""
    encoding, chinese = VARIANTS[0]
    raw = copy_run(worked, tmp_path).raw_dir  # the worked example evaluated, then every file re-delivered
    _rewrite(raw, encoding, chinese)
    run = run_pipeline(tmp_path, raw)
    assert run.status == worked.status
    for name in ("classification.csv", "benchmarks.csv", "dq_issues.csv"):
        assert run.csv(name).equals(worked.csv(name)), name
    # the delivery in force is the re-delivered file
    in_force = "select encoding from raw.loads where extract = 'statistics' order by loaded_at desc, load_id desc limit 1"
    assert run.one(in_force) == encoding
    assert run.one("select count(*) from raw.loads where extract = 'statistics'") == 2


def _ingest(tmp_path: Path, raw: Path, extract: str = "tax"):
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    return conn, ingest_extract(conn, extracts()[extract], 2023, raw)


def test_line_numbers_survive_blank_lines_and_quoted_line_breaks(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    path = raw / "2023" / "tax.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # a blank line after line 3, and a quoted credit-rating cell spanning two lines at line 5
    lines.insert(3, "")
    lines[5] = lines[5].replace(",否", ',"否\n"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    conn, summary = _ingest(tmp_path, raw)
    assert summary.rows_read == 17
    # the row with the mistyped USCC was on line 18; it is now on physical line 20
    assert conn.execute("select line_number from raw.tax where uscc = '91411303GWXUCJMA40'").fetchone() == (20,)
    assert conn.execute("select line_number from raw.tax where uscc = ?", [U["甲"]]).fetchone() == (2,)


def test_raw_rows_are_kept_as_delivered_with_lineage(tmp_path):
    conn, summary = _ingest(tmp_path, WORKED_RAW)
    row = conn.execute(
        "select data_year, source_file, sha256, line_number, tax_paid, credit_rating_d from raw.tax where uscc = ?", [U["乙"]]
    ).fetchone()
    assert row == (2023, "tax.csv", summary.sha256, 3, "240", "是")
    assert len(summary.sha256) == 64


def test_redelivering_the_same_file_is_a_no_op(tmp_path):
    conn, first = _ingest(tmp_path, WORKED_RAW)
    second = ingest_extract(conn, extracts()["tax"], 2023, WORKED_RAW)
    assert second.unchanged and second.load_id == first.load_id
    assert conn.execute("select count(*) from raw.loads").fetchone() == (1,)
    assert conn.execute("select count(*) from raw.tax").fetchone() == (17,)


def test_a_corrected_file_replaces_the_delivery_and_the_old_one_stays_for_audit(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    conn, first = _ingest(tmp_path, raw)
    path = raw / "2023" / "tax.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("91411303GWXUCJMA40", U["子"]), encoding="utf-8")
    second = ingest_extract(conn, extracts()["tax"], 2023, raw)
    assert not second.unchanged and second.load_id != first.load_id
    assert conn.execute("select count(*) from raw.tax").fetchone() == (34,)
    latest = conn.execute("select load_id from raw.loads order by loaded_at desc limit 1").fetchone()
    assert latest == (second.load_id,)


def test_the_same_file_is_read_again_when_its_extracts_contract_changed(tmp_path):
    """The rows and findings of a delivery depend on the contract it was read under (its columns,
    their headers, which are required): a contract changed in data/seeds reads the unchanged file
    again, once."""
    conn, first = _ingest(tmp_path, WORKED_RAW)
    tax = extracts()["tax"]
    stricter = replace(tax, columns=tuple(replace(c, value_required=True) if c.name == "credit_rating_d" else c for c in tax.columns))
    second = ingest_extract(conn, stricter, 2023, WORKED_RAW)
    assert not second.unchanged and second.load_id != first.load_id and second.sha256 == first.sha256
    third = ingest_extract(conn, stricter, 2023, WORKED_RAW)
    assert third.unchanged and third.load_id == second.load_id
    assert conn.execute("select count(*) from raw.tax").fetchone() == (34,)


def test_a_warehouse_whose_loads_carry_no_contract_reads_each_file_again_once(tmp_path):
    conn, first = _ingest(tmp_path, WORKED_RAW)
    conn.execute("alter table raw.loads drop column contract_sha256")  # as an earlier mujun made it
    again = ingest_extract(conn, extracts()["tax"], 2023, WORKED_RAW)
    assert not again.unchanged and again.load_id != first.load_id
    assert ingest_extract(conn, extracts()["tax"], 2023, WORKED_RAW).unchanged


def test_optional_file_not_delivered_is_recorded(tmp_path):
    conn, summary = _ingest(tmp_path, WORKED_RAW, "quality_awards")
    assert not summary.delivered
    assert conn.execute("select check_name from raw.load_issues").fetchall() == [("file_not_delivered",)]


def test_unreadable_file_is_an_input_error_naming_the_file(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    (raw / "2023" / "tax.csv").write_bytes(b"uscc,tax_paid\n\xff\xfe\xff,1\n")
    with pytest.raises(InputError, match="tax.csv"):
        _ingest(tmp_path, raw)


def test_duplicate_header_is_an_input_error(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    (raw / "2023" / "tax.csv").write_text("uscc,实缴税费总额(万元),tax_paid\n", encoding="utf-8")
    with pytest.raises(InputError, match="tax_paid"):
        _ingest(tmp_path, raw)


def test_mixed_line_endings_from_hand_editing_are_accepted(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    path = raw / "2023" / "tax.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_bytes(("\r\n".join(lines[:10]) + "\r\n" + "\n".join(lines[10:]) + "\n").encode("utf-8"))
    conn, summary = _ingest(tmp_path, raw)
    assert summary.rows_read == 17
    assert conn.execute("select line_number from raw.tax where uscc = '91411303GWXUCJMA40'").fetchone() == (18,)


def _line_numbers(conn) -> dict[str, int]:
    return dict(conn.execute("select uscc, line_number from raw.tax").fetchall())


def test_quoted_cells_on_one_line_keep_physical_line_numbers_as_excel_saves_them(tmp_path):
    """Excel's "CSV UTF-8": a BOM, CRLF, a cell with a comma quoted, cleared rows left as ",," at the
    end. Every record is on its own line: its line is its record number + 1."""
    raw = copy_worked(tmp_path / "raw")
    path = raw / "2023" / "tax.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace(",否", ',"否,待核"')
    lines[9] = lines[9].replace(",否", ',"说""明"')
    path.write_bytes(("\r\n".join(lines + [",,", ",,"]) + "\r\n").encode("utf-8-sig"))
    conn, summary = _ingest(tmp_path, raw)
    assert summary.rows_read == 17 and summary.encoding == "utf-8-sig"
    numbers = _line_numbers(conn)
    assert numbers == {line.split(",")[0]: number for number, line in enumerate(lines, 1) if number > 1}
    assert conn.execute("select credit_rating_d from raw.tax where line_number in (5, 10) order by line_number").fetchall() == [
        ("否,待核",),
        ('说"明',),
    ]


def test_a_quote_inside_an_unquoted_cell_does_not_hide_a_quoted_line_break(tmp_path):
    """A quote in the middle of a cell is a character (DuckDB and Python's csv module agree), so
    counting quotes per line cannot tell where records start: a record spanning two lines must
    still move the line numbers of the records after it, and a blank line too."""
    raw = copy_worked(tmp_path / "raw")
    path = raw / "2023" / "tax.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # line 3: `240"` then a credit rating quoted across two lines; an even number of quotes on it
    lines[2] = lines[2].replace(",240,是", ',240",' + '"是\n"')
    lines.insert(8, "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    conn, summary = _ingest(tmp_path, raw)
    assert summary.rows_read == 17
    numbers = _line_numbers(conn)
    assert numbers[U["乙"]] == 3 and numbers[U["丙"]] == 5
    assert numbers["91411303GWXUCJMA40"] == 20
    assert conn.execute("select tax_paid, credit_rating_d from raw.tax where uscc = ?", [U["乙"]]).fetchone() == ('240"', "是\n")


def test_a_header_with_invisible_characters_is_read_as_it_shows(tmp_path):
    """A second byte order mark (a file saved twice by two programs), a zero-width space copied out
    of a web page: nothing on screen, no part of a column name."""
    raw = copy_worked(tmp_path / "raw")
    path = raw / "2023" / "tax.csv"
    text = path.read_text(encoding="utf-8").replace("tax_paid", "tax_paid\u200b", 1)
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + text.encode("utf-8"))
    conn, summary = _ingest(tmp_path, raw)
    assert summary.rows_read == 17 and not [f for f in summary.findings if f[0] in ("column_missing", "column_unknown")]
    assert conn.execute("select tax_paid from raw.tax where uscc = ?", [U["乙"]]).fetchone() == ("240",)
