"""Hostile values (issue 10, RULES §2 and §4): a number is finite or it is a cell error, no
enterprise of the statistics extract vanishes, industry codes are read as statistics systems
write them, and a pollution penalty without a level is a row error.

Plantings that do not interact share one pipeline run (each run takes ~20 s). They are placed
on enterprises outside the benchmark population (evaluated, above scale, output ≥ 5000: 甲 乙 丙
丁 丑) or in columns that do not feed the benchmarks, so that the benchmarks must equal the clean
run's exactly. The parsers themselves are checked without a pipeline: the dbt macros are
rendered with Jinja and run in DuckDB.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import duckdb
import jinja2
import pytest

from conftest import U, copy_run, copy_worked, run_pipeline
from dagster_project.expectations import number_sql

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

ROOT = Path(__file__).parents[1]
NON_FINITE = ["nan", "NaN", "-nan", "inf", "+Inf", "-infinity", "Infinity", "INF", " nan ", "1e400", "-1e309", "1,e400"]
# read by DuckDB's cast as some number, but no number of the contract: a decimal comma (10x, 100x
# off), commas out of groups of three, underscores, an underflow to zero, beyond the warehouse's
# exact arithmetic (1e20), an exponent without digits
NOT_NUMBERS = [
    "1,5",
    "389,5",
    "3,0",
    "1,,5",
    "1,e3",
    "6_000",
    "1_000.5",
    ",100",
    "100,",
    "1,23,456",
    "12,3456",
    "1e-400",
    "-2e-500",
    "1.7e308",
    "1e20",
    "-1e25",
    "1e",
    "e5",
    ".",
    "+",
    "1.2.3",
    "(100)",
    "−5",
]


# ---------------------------------------------------------------------------------------------
# the parsers, unit by unit


@pytest.fixture(scope="module")
def macros():
    """dbt's parser macros rendered by plain Jinja (ref and var stubbed), with the division table."""
    source = "".join((ROOT / "dbt" / "macros" / name).read_text(encoding="utf-8") for name in ("parse_values.sql", "run_context.sql"))
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    module = env.from_string(
        source, globals={"ref": lambda name: name, "var": lambda name, default=None: {"year": 2023}.get(name, default)}
    ).module
    conn = duckdb.connect()
    conn.execute(f"""create table industry_divisions as select * from read_csv('{ROOT / "data" / "seeds" / "industry_divisions.csv"}',
                     types={{'division': 'VARCHAR', 'section': 'VARCHAR', 'from_year': 'INTEGER', 'to_year': 'INTEGER'}})""")
    conn.execute(f"create table enum_labels as select * from read_csv('{ROOT / 'data' / 'seeds' / 'enum_labels.csv'}', all_varchar = true)")
    yield module, conn
    conn.close()


def _eval(macros, expression: str, value: str | None):
    _, conn = macros
    return conn.execute(f"select {expression} from (select ?::varchar as x)", [value]).fetchone()[0]


@pytest.mark.parametrize("value", NON_FINITE)
def test_parse_decimal_reads_no_non_finite_spelling(macros, value):
    module, _ = macros
    assert _eval(macros, module.parse_decimal("x"), value) is None
    assert _eval(macros, module.parse_int("x"), value) is None


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_parse_decimal_reads_no_decimal_comma_underscore_underflow_or_overflow(macros, value):
    module, _ = macros
    assert _eval(macros, module.parse_decimal("x"), value) is None


@pytest.mark.parametrize(
    "value,number",
    [
        ("1,234.5", 1234.5),
        (" 42 ", 42.0),
        ("-5", -5.0),
        ("1e5", 100000.0),
        ("0", 0.0),
        ("0.0e-5", 0.0),
        ("-0", 0.0),
        ("1,234,567", 1234567.0),
        ("+12.", 12.0),
        (".5", 0.5),
        ("9.99e19", 9.99e19),
        ("1e-300", 1e-300),
        ("\t600\t", 600.0),
        ("\u3000600\r", 600.0),
        ("\xa01,234\n", 1234.0),
        ("", None),
        ("9.7%", None),
        ("abc", None),
    ],
)
def test_parse_decimal_keeps_finite_numbers(macros, value, number):
    module, _ = macros
    assert _eval(macros, module.parse_decimal("x"), value) == number


@pytest.mark.parametrize(
    "value,number", [("3", 3), ("2.0", 2), ("1,000", 1000), ("1.5", None), ("0.5", None), ("0x10", None), ("3e9", None), ("inf", None)]
)
def test_parse_int_never_rounds_or_reads_hexadecimal(macros, value, number):
    # DuckDB's own cast reads '1.5' as 2 and '0x10' as 16
    module, _ = macros
    assert _eval(macros, module.parse_int("x"), value) == number


@pytest.mark.parametrize("value", NON_FINITE + NOT_NUMBERS + ["1,234.5", " 7 ", "-3.25", "", "abc", "1e5", "0.0e-5"])
def test_great_expectations_parses_numbers_as_dbt_does(macros, value):
    module, _ = macros
    dbt_number = _eval(macros, module.parse_decimal("x"), value)
    ge_number = _eval(macros, number_sql("x"), value)
    assert dbt_number == ge_number and (ge_number is None or math.isfinite(ge_number))


@pytest.mark.parametrize(
    "value,code",
    [
        ("3825", "3825"),
        ("C3825", "3825"),
        ("c3825", "3825"),
        (" 3825 ", "3825"),
        ("38 25", "3825"),
        ("C 3825", "3825"),
        ("３８２５", "3825"),
        ("Ｃ３８２５", "3825"),
        ("38\u300025", "3825"),
        ("0610", "0610"),
        ("B0610", "0610"),
        ("38", "38"),
        ("382", "382"),
    ],
)
def test_industry_code_normalised(macros, value, code):
    module, _ = macros
    assert _eval(macros, module.parse_industry_code("x"), value) == code


@pytest.mark.parametrize(
    "value,section",
    [
        ("9911", None),
        ("00", None),
        ("98", None),
        ("ABCD", None),
        ("", None),
        ("38251", None),
        ("3", None),
        ("38.25", None),
        ("CC3825", None),
        ("B3825", "C"),
        ("C0610", "B"),  # the letter contradicts the division: a cell error of its own
    ],
)
def test_industry_code_not_a_division_is_no_code(macros, value, section):
    module, _ = macros
    assert _eval(macros, module.parse_industry_code("x"), value) is None
    assert _eval(macros, module.industry_section_of("x"), value) == section


def test_division_table_holds_every_gb_t_4754_division():
    with open(ROOT / "data" / "seeds" / "industry_divisions.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["division"] for r in rows] == [f"{d:02d}" for d in range(1, 98)]
    assert {r["division"] for r in rows if r["in_scope"] == "true"} == {str(d) for d in range(13, 44)}


# ---------------------------------------------------------------------------------------------
# helpers on delivered files


def _set(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell (line numbers as in dq_issues: header = 1), keeping everything else."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[line - 1][rows[0].index(column)] = value
    _write(path, rows)


def _append(path: Path, *rows: list[str]) -> None:
    _write(path, list(csv.reader(io.StringIO(path.read_text(encoding="utf-8")))) + [list(r) for r in rows])


def _write(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _issues(run, check: str) -> set[tuple]:
    return {
        tuple(r)
        for r in run.query(
            """select file, line, column_name, value, uscc, severity from marts.dq_issues
                   where data_year = 2023 and "check" = ?""",
            [check],
        )
    }


def _status(run, name: str) -> tuple:
    return run.one("select status, adjustments from marts.classification where data_year = 2023 and uscc = ?", [U[name]])


def _benchmarks(run) -> dict:
    return dict(run.query("select indicator, value from marts.benchmarks where data_year = 2023"))


def _assert_invariants(run) -> None:
    # every delivered row reconciles
    for extract, read, accepted, quarantined in run.query(
        "select extract, rows_read, rows_accepted, rows_quarantined from marts.delivery_reconciliation where data_year = 2023"
    ):
        assert read == accepted + quarantined, extract
    # every valid USCC of statistics.csv is listed exactly once
    delivered = {
        u
        for (u,) in run.query(
            "select distinct upper(trim(uscc)) from raw.statistics"
            " where load_id = (select load_id from validation.validation_current_loads where extract = 'statistics')"
        )
    }
    invalid = {
        u
        for (u,) in run.query(
            "select row_uscc from validation.validation_cell_errors"
            " where extract = 'statistics' and check_name in ('uscc_invalid', 'value_missing') and column_name = 'uscc'"
        )
    }
    exported = run.csv("classification.csv")
    assert sorted(exported["uscc"]) == sorted(delivered - invalid)
    # nothing that is not a finite number reaches a result
    for column in ("land_mu", "tax_per_mu", "output_per_mu", "output_per_energy", "total_score"):
        values = [v for v in exported[column] if v != ""]
        assert all(math.isfinite(float(v)) for v in values), column
    assert all(math.isfinite(v) and v > 0 for v in _benchmarks(run).values())
    # blocked and out-of-scope rows carry no numbers and their reason
    for row in exported.itertuples():
        if row.status != "evaluated":
            assert row.total_score == row.final_class == row.land_mu == "" and row.adjustments != ""


# ---------------------------------------------------------------------------------------------
# non-finite numbers in required and optional columns of several files

STATISTICS, TAX, PARCELS, LEASES = "statistics.csv", "tax.csv", "land_parcels.csv", "land_leases.csv"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile_values")
    raw = copy_worked(tmp / "raw")
    y = raw / "2023"
    _set(y / STATISTICS, 6, "gross_output", "NaN")  # 戊: the output itself
    _set(y / STATISTICS, 7, "energy_tce", "+Inf")  # 己: energy of an above-scale enterprise
    _set(y / STATISTICS, 8, "total_profit", "9.7%")  # 庚: an optional cell that is no number at all
    _set(y / STATISTICS, 9, "total_profit", "-infinity")  # 辛: an optional cell, non-finite
    _set(y / STATISTICS, 11, "revenue", "Infinity")  # 癸: out of scope (mining), blocked all the same
    _set(y / STATISTICS, 12, "gross_output_prev", "1e400")  # 子: overflow
    _set(y / TAX, 13, "tax_paid", "nan")  # 小一: the case of the issue
    _set(y / TAX, 14, "tax_paid", "-1e309")  # 小二
    _set(y / PARCELS, 16, "area_m2", "inf")  # 小三: required land
    _set(y / PARCELS, 17, "area_m2", "1e-320")  # 小四: finite, but output / land is not
    _set(y / PARCELS, 18, "area_m2", "5e-321")  # 小五: finite, but output / land is not
    _set(y / LEASES, 4, "area_mu", "-nan")  # lease 己 → 庚
    _set(y / "science_tech.csv", 2, "rd_expense", "NaN")  # 甲: bonus input only
    _set(y / "science_tech.csv", 3, "new_invention_patents", "inf")  # 乙
    _set(y / "industry_it.csv", 3, "equipment_investment", "Infinity")  # 丁: 1500 protected it from C/D
    return run_pipeline(tmp, raw)


@pytest.fixture(scope="module")
def clean(worked):
    """The unmodified worked example (evaluated once per session, see conftest)."""
    return worked


def test_non_finite_run_finishes_not_publishable(hostile):
    assert hostile.status == 3


@pytest.mark.parametrize(
    "file,line,column,value,name",
    [
        (STATISTICS, 6, "gross_output", "NaN", "戊"),
        (STATISTICS, 7, "energy_tce", "+Inf", "己"),
        (STATISTICS, 9, "total_profit", "-infinity", "辛"),
        (STATISTICS, 11, "revenue", "Infinity", "癸"),
        (STATISTICS, 12, "gross_output_prev", "1e400", "子"),
        (TAX, 13, "tax_paid", "nan", "小一"),
        (TAX, 14, "tax_paid", "-1e309", "小二"),
        (PARCELS, 16, "area_m2", "inf", "小三"),
        ("science_tech.csv", 2, "rd_expense", "NaN", "甲"),
        ("industry_it.csv", 3, "equipment_investment", "Infinity", "丁"),
    ],
)
def test_non_finite_decimal_is_a_cell_error(hostile, file, line, column, value, name):
    assert (file, line, column, value, U[name], "error") in _issues(hostile, "decimal_invalid")
    issues = hostile.csv("dq_issues.csv")
    row = issues[(issues["check"] == "decimal_invalid") & (issues["line"] == str(line)) & (issues["file"] == file)].iloc[0]
    assert f"第{line}行" in row["message"] and column in row["message"] and value.strip() in row["message"]


def test_non_finite_int_is_a_cell_error(hostile):
    assert _issues(hostile, "int_invalid") == {("science_tech.csv", 3, "new_invention_patents", "inf", U["乙"], "error")}


def test_the_lease_is_a_cell_error_and_counts_for_nobody(hostile, clean):
    assert (LEASES, 4, "area_mu", "-nan", U["庚"], "error") in _issues(hostile, "decimal_invalid")
    leased = hostile.one("select count(*) from staging.stg_townships__land_leases where lease_id = 'ZL-2023-03'")
    assert leased == 0


@pytest.mark.parametrize("name", ["戊", "己", "庚", "辛", "子"])
def test_statistics_row_with_an_invalid_cell_blocks_its_enterprise(hostile, name):
    assert _status(hostile, name) == ("blocked", "statistics_row_invalid")


def test_statistics_row_invalid_whatever_the_scope(hostile):
    # 癸 is a mine (out of scope when its row is valid); it is listed, blocked, not dropped
    assert _status(hostile, "癸") == ("blocked", "statistics_row_invalid")


def test_blocked_enterprise_listed_with_its_name_township_and_scale_as_delivered(hostile):
    row = hostile.csv("classification.csv").set_index("uscc").loc[U["庚"]]
    assert (row["name"], row["township"], row["scale"], row["status"]) == ("示例庚新材料有限公司", "英庄镇", "above", "blocked")
    assert row["adjustments"] == "statistics_row_invalid"


def test_statistics_row_invalid_is_reported_with_the_columns(hostile):
    found = _issues(hostile, "statistics_row_invalid")
    assert ("statistics.csv", 8, None, "“利润总额(万元)”（total_profit）", U["庚"], "error") in found
    assert {(f[1], f[4]) for f in found} == {(6, U["戊"]), (7, U["己"]), (8, U["庚"]), (9, U["辛"]), (11, U["癸"]), (12, U["子"])}
    message = hostile.csv("dq_issues.csv").query("check == 'statistics_row_invalid' and line == '8'").iloc[0]["message"]
    assert message.startswith("statistics.csv 第8行：列 “利润总额(万元)”（total_profit） 的值无法采用")
    assert "暂不参评" in message and "blocked" in message
    # the underlying cell error is there too
    assert ("statistics.csv", 8, "total_profit", "9.7%", U["庚"], "error") in _issues(hostile, "decimal_invalid")


def test_non_finite_tax_blocks_as_an_invalid_tax_row(hostile):
    # the tax department delivered them: it is told the row is invalid, not that it is missing
    assert _status(hostile, "小一") == ("blocked", "tax_row_invalid")
    assert _status(hostile, "小二") == ("blocked", "tax_row_invalid")
    assert {(f[0], f[4]) for f in _issues(hostile, "tax_row_invalid")} == {("tax.csv", U["小一"]), ("tax.csv", U["小二"])}


def test_non_finite_parcel_is_not_land(hostile):
    assert _status(hostile, "小三") == ("blocked", "land_not_positive")


def test_quotients_that_overflow_block_the_enterprise(hostile):
    # finite inputs whose land or indicator is not finite: blocked, never scored as inf or NaN
    assert _status(hostile, "小四") == ("blocked", "indicator_not_finite")
    assert _status(hostile, "小五") == ("blocked", "indicator_not_finite")
    assert {(f[0], f[1], f[4]) for f in _issues(hostile, "indicator_not_finite")} == {
        ("statistics.csv", 17, U["小四"]),
        ("statistics.csv", 18, U["小五"]),
    }


def test_optional_files_with_non_finite_values_quarantine_the_row_only(hostile, clean):
    # 甲 loses the R&D evidence of its quarantined science_tech row, 丁 its equipment investment
    assert _status(hostile, "甲")[0] == "evaluated" and _status(hostile, "丁")[0] == "evaluated"
    assert "protect_cd" in _status(clean, "丁")[1] and "protect_cd" not in (_status(hostile, "丁")[1] or "")
    assert hostile.one("select count(*) from staging.stg_science_tech__innovation where uscc = ?", [U["甲"]]) == 0


def test_benchmarks_finite_and_unchanged_when_their_population_is_unaffected(hostile, clean):
    assert _benchmarks(hostile) == _benchmarks(clean)
    assert hostile.query("select indicator, population from marts.benchmarks where data_year = 2023 order by 1") == clean.query(
        "select indicator, population from marts.benchmarks where data_year = 2023 order by 1"
    )


def test_non_finite_invariants(hostile):
    _assert_invariants(hostile)


def test_non_finite_outputs_written(hostile):
    # the workbook writer refuses NaN/inf: its presence proves none reached it
    assert (hostile.export_dir / "2023" / "亩均效益评价结果_2023.xlsx").exists()


# ---------------------------------------------------------------------------------------------
# industry codes, duplicates mixed with invalid cells, pollution penalties without a level


@pytest.fixture(scope="module")
def codes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile_codes")
    raw = copy_worked(tmp / "raw")
    y = raw / "2023"
    for line, code in [(2, "C3412"), (3, " c2720 "), (4, "14 31"), (5, "３０２１"), (13, "Ｃ３５７１"), (11, "B0610"), (14, "1495 ")]:
        _set(y / STATISTICS, line, "industry_code", code)  # written as statistics systems write them
    _set(y / STATISTICS, 6, "industry_code", "9911")  # 戊: division 99 does not exist
    _set(y / STATISTICS, 7, "industry_code", "ABCD")  # 己
    _set(y / STATISTICS, 8, "industry_code", "B2641")  # 庚: 26 is manufacturing (C), not mining (B)
    _set(y / STATISTICS, 9, "industry_code", "00")  # 辛
    _set(y / STATISTICS, 12, "industry_code", "")  # 子: empty
    # 小五 twice, the second copy with an invalid cell: one blocked row, as a duplicate
    statistics = list(csv.reader(io.StringIO((y / STATISTICS).read_text(encoding="utf-8"))))
    copy = list(statistics[17])
    copy[statistics[0].index("total_profit")] = "nan"
    _append(y / STATISTICS, copy)  # line 19
    wrong = list(statistics[1])  # line 20: 甲's code with a wrong check character
    wrong[0], wrong[statistics[0].index("gross_output")] = U["甲"][:-1] + "X", "inf"
    _append(y / STATISTICS, wrong)
    _set(y / STATISTICS, 17, "scale", "中型")  # 小四: no such scale group
    _append(
        y / "environment.csv",
        [U["丑"], "HB-2023-03", "污染处罚", "", "2023-05-01"],  # line 4: no level
        [U["甲"], "HB-2023-04", "pollution_penalty", "  ", "2023-06-01"],  # line 5: blank level
        [U["丙"], "HB-2023-05", "减排任务未完成", "", "2022-06-01"],
    )  # line 6: no level needed
    return run_pipeline(tmp, raw)


def test_industry_codes_with_section_letter_spaces_and_full_width_are_read(codes, clean):
    # evaluated with the same scores (ranks move: the blocked ones below left their groups)
    for name in ("甲", "乙", "丙", "丁", "丑", "小一"):
        assert codes.one("select status, total_score from marts.classification where uscc = ?", [U[name]]) == clean.one(
            "select status, total_score from marts.classification where uscc = ?", [U[name]]
        )
    assert _benchmarks(codes) == _benchmarks(clean)
    assert codes.one("select industry_code from marts.classification where data_year = 2023 and uscc = ?", [U["丑"]]) == "3571"
    chains = "select uscc, industry_chain from marts.classification where data_year = 2023 and status = 'evaluated'"
    assert set(codes.query(chains)) <= set(clean.query(chains))


def test_industry_code_with_the_right_letter_keeps_the_scope(codes):
    assert _status(codes, "癸") == ("out_of_scope", "industry")


def test_unknown_division_is_a_cell_error_and_blocks(codes):
    assert _issues(codes, "industry_code_invalid") == {
        (STATISTICS, 6, "industry_code", "9911", U["戊"], "error"),
        (STATISTICS, 7, "industry_code", "ABCD", U["己"], "error"),
        (STATISTICS, 9, "industry_code", "00", U["辛"], "error"),
    }
    for name in ("戊", "己", "辛"):
        assert _status(codes, name) == ("blocked", "statistics_row_invalid")
    message = codes.csv("dq_issues.csv").query("check == 'industry_code_invalid' and line == '6'").iloc[0]["message"]
    assert "statistics.csv 第6行" in message and "行业代码" in message and "9911" in message and "GB/T 4754" in message


def test_section_letter_contradicting_the_division_is_a_cell_error(codes):
    assert _issues(codes, "industry_section_mismatch") == {(STATISTICS, 8, "industry_code", "B2641", U["庚"], "error")}
    assert _status(codes, "庚") == ("blocked", "statistics_row_invalid")


def test_empty_industry_code_blocks(codes):
    assert (STATISTICS, 12, "industry_code", "", U["子"], "error") in _issues(codes, "value_missing")
    assert _status(codes, "子") == ("blocked", "statistics_row_invalid")


def test_duplicate_with_an_invalid_copy_is_one_blocked_duplicate(codes):
    assert _status(codes, "小五") == ("blocked", "statistics_duplicate")
    assert {(f[1], f[4]) for f in _issues(codes, "uscc_duplicate") if f[0] == STATISTICS} == {(18, U["小五"]), (19, U["小五"])}
    assert (STATISTICS, 19, "total_profit", "nan", U["小五"], "error") in _issues(codes, "decimal_invalid")
    assert U["小五"] not in {f[4] for f in _issues(codes, "statistics_row_invalid")}


def test_statistics_row_with_invalid_scale_blocks_without_a_scale(codes):
    row = codes.csv("classification.csv").set_index("uscc").loc[U["小四"]]
    assert (row["name"], row["scale"], row["status"], row["adjustments"]) == (
        "示例小四印刷有限公司",
        "",
        "blocked",
        "statistics_row_invalid",
    )


def test_statistics_row_with_invalid_uscc_identifies_nobody(codes):
    # reported and reconciled, but no enterprise can be listed under a code that is not one
    assert (STATISTICS, 20, "uscc", U["甲"][:-1] + "X", U["甲"][:-1] + "X", "error") in _issues(codes, "uscc_invalid")
    assert (STATISTICS, 20, "gross_output", "inf", U["甲"][:-1] + "X", "error") in _issues(codes, "decimal_invalid")
    assert U["甲"][:-1] + "X" not in set(codes.csv("classification.csv")["uscc"])
    assert codes.one(
        "select rows_read, rows_accepted, rows_quarantined from marts.delivery_reconciliation "
        "where data_year = 2023 and extract = 'statistics'"
    ) == (19, 10, 9)


def test_pollution_penalty_without_level_is_a_row_error(codes, clean):
    assert _issues(codes, "pollution_level_missing") == {
        ("environment.csv", 4, "level", "", U["丑"], "error"),
        ("environment.csv", 5, "level", "  ", U["甲"], "error"),
    }
    accepted = {case for (case,) in codes.query("select case_id from staging.stg_environment__cases")}
    assert accepted == {"HB-2023-01", "HB-2023-02", "HB-2023-05"}
    message = codes.csv("dq_issues.csv").query("check == 'pollution_level_missing' and line == '4'").iloc[0]["message"]
    assert "environment.csv 第4行" in message and "处罚级别" in message and "level" in message


def test_codes_run_not_publishable_and_reconciled(codes):
    assert codes.status == 3
    _assert_invariants(codes)
    listed = codes.csv("classification.csv")
    assert len(listed) == 17 and listed["uscc"].is_unique


# ---------------------------------------------------------------------------------------------
# benchmarks are checked finite before anything is scored


def test_benchmark_that_overflows_stops_the_run_with_a_clear_message(tmp_path, capsys):
    # every input finite and every indicator finite (about 1.2e308 亩均产值 each for 甲 and 乙),
    # but their mean overflows: the run must stop, not score against inf
    raw = copy_worked(tmp_path / "raw")
    _set(raw / "2023" / PARCELS, 2, "area_m2", "8.33e-302")  # 甲: 15000 / 1.25e-304 亩
    _set(raw / "2023" / PARCELS, 3, "area_m2", "6.67e-302")  # 乙: 12000 / 1.0e-304 亩
    run = run_pipeline(tmp_path, raw)
    out = capsys.readouterr().out
    assert run.status == 2
    assert "基准值" in out and "不是有限数" in out and "Benchmark missing or not positive" in out and "output_per_mu" in out
    # nothing was scored in this fresh warehouse: the models after the benchmarks were skipped
    assert run.query("select table_name from information_schema.tables where table_name in ('int_scores', 'classification')") == []


def test_huge_finite_values_never_reach_an_output_as_inf(tmp_path, worked):
    # 9.9e19 is just below the largest number the contract accepts (1e20 and beyond is an
    # overflow, a cell error): accepted, but nothing computed from it may overflow into a result
    # (scores, diagnosis, workbooks); 小五's land of 5e-321 m² makes output / land not finite
    raw = copy_run(worked, tmp_path).raw_dir  # the worked example evaluated, then re-delivered
    _set(raw / "2023" / STATISTICS, 2, "gross_output", "9.9e19")  # 甲
    _set(raw / "2023" / STATISTICS, 2, "energy_tce", "1")
    _set(raw / "2023" / PARCELS, 18, "area_m2", "5e-321")  # 小五
    run = run_pipeline(tmp_path, raw)
    assert run.status == 3
    assert _status(run, "甲")[0] == "evaluated" and _status(run, "小五") == ("blocked", "indicator_not_finite")
    _assert_invariants(run)
    for (value,) in run.query(
        """select unnest([tax_per_mu_needed, output_per_mu_needed, tax_per_mu_benchmark, output_per_mu_benchmark])
               from marts.enterprise_diagnosis where data_year = 2023"""
    ):
        assert value is None or math.isfinite(value)
    assert run.one("select energy_score from marts.classification where data_year = 2023 and uscc = ?", [U["甲"]]) == 24
    assert (run.export_dir / "2023" / "亩均效益评价结果_2023.xlsx").exists()


@pytest.mark.parametrize(("value", "code"), [("A", "A"), ("a", "A"), ("Ａ", "A"), ("ｂ", "B"), (" Ｃ\u3000", "C"), ("规上", "above")])
def test_a_label_typed_in_full_width_is_the_label(macros, value, code):
    """A Chinese input method in its full-width mode types Ａ for A: the same class."""
    module, _ = macros
    enum_name = "scale" if code == "above" else "class"
    assert _eval(macros, module.parse_enum("x", enum_name), value) == code


@pytest.mark.parametrize(
    ("value", "date"),
    [("2023-05-01", "2023-05-01"), ("2023/5/1", "2023-05-01"), ("2024-02-29", "2024-02-29"), (" 2023-5-1\u3000", "2023-05-01")],
)
def test_dates_in_the_contract_forms_are_read(macros, value, date):
    module, _ = macros
    assert str(_eval(macros, module.parse_date("x"), value)) == date


@pytest.mark.parametrize(
    "value",
    # a year of fewer than four digits (DuckDB's %Y reads 23 as the year 23, 0 as 1 BC), a year 0,
    # five digits, a day that does not exist, mixed separators, a time after the date
    ["23-5-1", "0-6-30", "023-05-01", "0023-05-01", "20230-05-01", "2023-02-29", "2023-13-01", "2023-5/1", "2023-05-01 08:00", "2023.5.1"],
)
def test_dates_with_a_short_or_impossible_year_are_no_dates(macros, value):
    module, _ = macros
    assert _eval(macros, module.parse_date("x"), value) is None


@pytest.mark.parametrize(
    "value",
    [
        "91411303CNEUCAKJ5Y\t",
        "\t91411303cneucakj5y",
        "\u300091411303CNEUCAKJ5Y\r",
        # invisible: a zero-width space, a byte order mark, a word joiner (copied out of a web page)
        "91411303CNEUCAKJ5Y\u200b",
        "\ufeff91411303CNEUCAKJ5Y",
        "\u2060 91411303CNEUCAKJ5Y",
    ],
)
def test_white_space_copied_with_a_code_is_no_part_of_it(macros, value):
    module, _ = macros
    assert _eval(macros, module.parse_uscc("x"), value) == "91411303CNEUCAKJ5Y"
