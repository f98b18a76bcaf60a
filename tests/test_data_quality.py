"""Data quality: every problem is caught, reported to its department with file, line and column,
and nothing is lost. One malformed copy of the worked example plants all problems at once; a
previous year (2022) is evaluated first so that year-over-year guards have something to compare.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import WORKED_RAW, U, copy_run, run_pipeline
from dagster_project.contract import extracts
from dagster_project.uscc import check_character

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

OUTSIDER = "91411303WWWWWWWWW" + check_character("91411303WWWWWWWWW")  # valid, not in the population


def _replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _append(path: Path, *rows: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "".join(r + "\n" for r in rows), encoding="utf-8")


def _build(raw: Path) -> None:
    shutil.copytree(WORKED_RAW / "2023", raw / "2022")
    shutil.copytree(WORKED_RAW / "2023", raw / "2023")
    # 2022: 乙 paid far less tax, 丑 had three times the land
    _replace_line(raw / "2022" / "tax.csv", 3, f"{U['乙']},10,否")
    _replace_line(raw / "2022" / "land_parcels.csv", 13, f"{U['丑']},411303-012,30000")

    y = raw / "2023"
    _replace_line(y / "tax.csv", 14, f"{U['小二']},,否")  # value missing (not zero!)
    _replace_line(y / "tax.csv", 15, f"{U['小三']},-5,否")  # negative tax
    _replace_line(y / "tax.csv", 16, f"{U['小四']},1500,否")  # 元 instead of 万元: more than output
    _append(y / "tax.csv", f"{U['丙']},150,否")  # line 19: 丙 twice
    _replace_line(y / "land_parcels.csv", 16, f"{U['小三']},411303-103,0")  # area not positive
    _replace_line(y / "land_parcels.csv", 17, f"{U['小四']},411303-104,3")  # 亩 where m² is due
    _append(y / "land_parcels.csv", f"{U['小二']},411303-101,100")  # line 19: 小一's parcel id again
    _append(
        y / "land_leases.csv",
        f"ZL-2023-04,{U['丁']},{U['丁']},3,是",  # line 5: lessor = lessee
        f"ZL-2023-01,,{U['戊']},2,是",  # line 6: contract id of line 2 again
        f"ZL-2023-05,,{OUTSIDER},4,是",  # line 7: lessee outside the population
        "ZL-2023-09,,,20,是",  # line 8: neither party named
    )
    # 子 (blocked: no tax) sold for a negative amount
    line_12 = (y / "statistics.csv").read_text(encoding="utf-8").splitlines()[11]
    _replace_line(y / "statistics.csv", 12, line_12.replace(",3000,90,", ",-3000,90,"))
    _replace_line(y / "science_tech.csv", 2, f"{U['甲']},abc,0,是,无")  # not a number
    _replace_line(y / "science_tech.csv", 3, f"{U['乙']},240,0,maybe,无")  # not a boolean
    _replace_line(y / "safety_accidents.csv", 3, f"{U['丙']},SA-2023-02,2023.08.09,重大")  # not a date
    _append(y / "safety_accidents.csv", f"{U['丁']},SA-2022-07,2022-12-30,一般")  # line 4: last year's accident
    _append(y / "honors.csv", f"{OUTSIDER},市级先进,市级,2023")  # line 4: orphan
    _append(y / "finance.csv", f"{U['甲']},上市,否")  # line 4: 甲 twice
    _replace_line(y / "industry_it.csv", 3, f'{U["丁"]},无,无,无,无,"1,500",否,否,')  # thousands separator: fine
    _replace_line(
        y / "statistics.csv", 8, (y / "statistics.csv").read_text(encoding="utf-8").splitlines()[7].replace("2023-05-01", "2023/5/1")
    )
    (y / "overrides.csv").write_text(
        "uscc,final_class,reason,approved_by,approved_on\n"
        f"{OUTSIDER},A,理由,区委、区政府,2024-04-20\n"  # line 2: unknown enterprise
        f"{U['甲']},E,理由,区委、区政府,2024-04-20\n"  # line 3: no such class
        f"{U['戊']},C,理由,区委、区政府,2022-04-20\n",  # line 4: dated in 2022, last year's decision kept
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def malformed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("malformed")
    _build(tmp / "raw")
    first = run_pipeline(tmp, tmp / "raw", year=2022)
    assert first.status == 3
    return run_pipeline(tmp, tmp / "raw", year=2023)


def issues(run, check: str) -> set[tuple]:
    return {(r.file, r.line, r.uscc, r.severity) for r in run.csv("dq_issues.csv").itertuples() if r.check == check}


def status(run, name: str) -> tuple:
    return run.one("select status, adjustments from marts.classification where data_year = 2023 and uscc = ?", [U[name]])


# parsing ----------------------------------------------------------------------------------------


def test_unparseable_number_quarantines_the_row(malformed):
    assert issues(malformed, "decimal_invalid") == {("science_tech.csv", "2", U["甲"], "error")}


def test_unknown_boolean_label(malformed):
    assert issues(malformed, "bool_invalid") == {("science_tech.csv", "3", U["乙"], "error")}


def test_unparseable_date(malformed):
    assert issues(malformed, "date_invalid") == {("safety_accidents.csv", "3", U["丙"], "error")}


def test_unknown_enum_label(malformed):
    assert issues(malformed, "enum_unknown") == {("overrides.csv", "3", U["甲"], "error")}


def test_message_names_file_line_column_and_value(malformed):
    row = malformed.csv("dq_issues.csv").query("check == 'decimal_invalid'").iloc[0]
    assert "science_tech.csv" in row["message"] and "第2行" in row["message"]
    assert "研发费用(万元)" in row["message"] and "rd_expense" in row["message"] and "abc" in row["message"]


def test_thousands_separator_and_short_dates_are_accepted(malformed):
    assert malformed.one("select equipment_investment from staging.stg_industry_it__enterprise_status where uscc = ?", [U["丁"]]) == 1500
    assert str(malformed.one("select above_scale_since from staging.stg_statistics__enterprises where uscc = ?", [U["庚"]])) == "2023-05-01"


def test_empty_tax_is_missing_not_zero(malformed):
    assert issues(malformed, "value_missing") == {("tax.csv", "14", U["小二"], "error")}
    assert status(malformed, "小二") == ("blocked", "tax_missing")


# quarantine -------------------------------------------------------------------------------------


def test_invalid_uscc(malformed):
    assert issues(malformed, "uscc_invalid") == {("tax.csv", "18", "91411303GWXUCJMA40", "error")}


def test_duplicate_uscc_quarantines_every_copy(malformed):
    assert issues(malformed, "uscc_duplicate") == {
        ("tax.csv", "4", U["丙"], "error"),
        ("tax.csv", "19", U["丙"], "error"),
        ("finance.csv", "2", U["甲"], "error"),
        ("finance.csv", "4", U["甲"], "error"),
    }


def test_rows_read_equal_accepted_plus_quarantined(malformed):
    counts = {
        r[0]: r[1:]
        for r in malformed.query(
            """select extract, rows_read, rows_accepted, rows_quarantined, rows_not_in_population
           from marts.delivery_reconciliation where data_year = 2023"""
        )
    }
    assert all(read == accepted + quarantined for read, accepted, quarantined, _ in counts.values())
    assert counts["tax"] == (18, 14, 4, 0)
    assert counts["land_parcels"] == (18, 15, 3, 0)
    assert counts["land_leases"] == (7, 4, 3, 0)
    assert counts["finance"] == (3, 1, 2, 0)
    assert counts["honors"] == (3, 3, 0, 1)
    assert counts["overrides"] == (3, 2, 1, 1)


# land guards ------------------------------------------------------------------------------------


def test_parcel_area_not_positive(malformed):
    assert issues(malformed, "parcel_area_not_positive") == {("land_parcels.csv", "16", U["小三"], "error")}


def test_duplicate_parcel_id(malformed):
    assert issues(malformed, "parcel_duplicate") == {
        ("land_parcels.csv", "14", U["小一"], "error"),
        ("land_parcels.csv", "19", U["小二"], "error"),
    }


def test_net_land_not_positive_blocks(malformed):
    assert ("land_parcels.csv", "", U["小三"], "error") in issues(malformed, "land_not_positive")
    assert status(malformed, "小三") == ("blocked", "land_not_positive")


def test_lessor_equals_lessee(malformed):
    assert issues(malformed, "lease_self") == {("land_leases.csv", "5", U["丁"], "error")}


def test_duplicate_contract_id(malformed):
    assert issues(malformed, "lease_duplicate") == {("land_leases.csv", "2", U["丁"], "error"), ("land_leases.csv", "6", U["戊"], "error")}
    assert malformed.one("select land_mu from marts.classification where data_year = 2023 and uscc = ?", [U["丁"]]) == pytest.approx(45.0)


def test_lease_to_enterprise_outside_population(malformed):
    assert issues(malformed, "lease_party_unknown") == {("land_leases.csv", "7", OUTSIDER, "warning")}


def test_a_lease_naming_neither_party_is_warned(malformed):
    assert issues(malformed, "lease_parties_missing") == {("land_leases.csv", "8", "", "warning")}


def test_unverified_lease_warned(malformed):
    assert issues(malformed, "lease_unverified") == {("land_leases.csv", "3", U["丁"], "warning")}


def test_land_unit_suspect(malformed):
    assert issues(malformed, "land_unit_suspect") == {("land_parcels.csv", "", U["小四"], "warning")}


def test_land_change_against_previous_year(malformed):
    # 丑 had three times the land; 小四's parcel delivered in 亩 collapses its land as well
    assert issues(malformed, "land_change_large") == {
        ("land_parcels.csv", "", U["丑"], "warning"),
        ("land_parcels.csv", "", U["小四"], "warning"),
    }


# tax guards -------------------------------------------------------------------------------------


def test_tax_missing(malformed):
    assert issues(malformed, "tax_missing") == {("tax.csv", "", U["子"], "error"), ("tax.csv", "", U["小二"], "error")}


def test_tax_duplicate_blocks(malformed):
    assert issues(malformed, "tax_duplicate") == {("tax.csv", "", U["丙"], "error")}
    assert status(malformed, "丙") == ("blocked", "tax_duplicate")


def test_tax_negative(malformed):
    assert issues(malformed, "tax_negative") == {("tax.csv", "15", U["小三"], "warning")}


def test_negative_output_or_sales_are_warned_and_used_as_delivered(malformed):
    found = malformed.query(
        """select line, uscc, column_name, value, severity, message_zh from marts.dq_issues
           where data_year = 2023 and "check" = 'statistics_value_negative'"""
    )
    assert [row[:5] for row in found] == [(12, U["子"], "revenue_prev", "-3000", "warning")]
    assert "第12行 列“上年营业收入(万元)”（revenue_prev）：值为负（-3000 万元）" in found[0][5]


def test_an_event_dated_in_another_year_is_warned_and_not_counted(malformed):
    assert issues(malformed, "event_outside_year") == {("safety_accidents.csv", "4", U["丁"], "warning")}
    assert not malformed.query("select * from intermediate.int_events_in_year where event_id = 'SA-2022-07'")


def test_tax_exceeds_output(malformed):
    assert issues(malformed, "tax_exceeds_output") == {("tax.csv", "16", U["小四"], "error")}


def test_tax_zero_flagged(malformed):
    assert issues(malformed, "tax_zero") == {("tax.csv", "7", U["己"], "warning")}


def test_tax_jump_against_previous_year(malformed):
    # 乙: 10 → 240; 小四: 6 → 1500 (delivered in 元)
    assert issues(malformed, "tax_jump") == {("tax.csv", "3", U["乙"], "warning"), ("tax.csv", "16", U["小四"], "warning")}


# referential ------------------------------------------------------------------------------------


def test_orphan_rows(malformed):
    assert issues(malformed, "uscc_not_in_population") == {("honors.csv", "4", OUTSIDER, "warning")}


def test_an_override_dated_outside_the_year_and_the_next_is_warned_and_applied(malformed):
    assert issues(malformed, "override_date_outside") == {("overrides.csv", "4", U["戊"], "warning")}
    assert malformed.one("select final_class from marts.classification where data_year = 2023 and uscc = ?", [U["戊"]]) == "C"


def test_override_for_unknown_enterprise_is_an_error(malformed):
    assert issues(malformed, "override_unknown_enterprise") == {("overrides.csv", "2", OUTSIDER, "error")}


def test_optional_files_not_delivered(malformed):
    assert issues(malformed, "file_not_delivered") == {
        ("quality_awards.csv", "", "", "warning"),
        ("land_violations.csv", "", "", "warning"),
        # the optional extracts of the 附件2 rewards, not part of this example
        *{
            (f"{name}.csv", "", "", "warning")
            for name in ("output_history", "township_monthly_output", "digital_investment", "multistorey_buildings", "higher_level_funding")
        },
    }


def test_error_issues_make_the_run_not_publishable(malformed):
    assert malformed.status == 3


# reports per department -------------------------------------------------------------------------


def test_department_report_excel_lists_every_issue_of_the_department(malformed):
    from openpyxl import load_workbook

    book = load_workbook(malformed.export_dir / "2023" / "data_quality" / "tax_税务局.xlsx")
    sheet = book["问题清单"]
    header = [c.value for c in sheet[1]]
    assert header == ["文件", "行号", "统一社会信用代码", "企业名称", "列", "值", "严重程度", "问题说明", "处理建议"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    expected = malformed.csv("dq_issues.csv").query("department == 'tax'")
    assert len(rows) == len(expected) == 12
    exceeds = next(r for r in rows if r[1] == 16 and "万元" in r[7] and "大于工业总产值" in r[7])
    assert exceeds[2] == U["小四"] and exceeds[3] == "示例小四印刷有限公司" and exceeds[6] == "错误"
    assert exceeds[8] == "请税务部门核对单位（万元）"
    delivery = [[c.value for c in r] for r in book["报送核对"].iter_rows(min_row=2)]
    assert delivery[0][:6] == ["tax.csv", "是", 18, 14, 4, 0]


def test_department_report_html_is_self_contained(malformed):
    folder = malformed.export_dir / "2023" / "data_quality"
    pages = sorted(folder.glob("*.html"))
    # one per department of the contract (12 for the evaluation, 2 more for the 附件2 rewards: 财政局 and
    # 自然资源局/开发区), also those without problems
    assert len(pages) == len({e.department for e in extracts().values()}) == 14
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "<script" not in text
    land = (folder / "natural_resources_自然资源局.html").read_text(encoding="utf-8")
    assert "宗地编号“411303-101”重复" in land and "land_parcels.csv" in land
    quiet = (folder / "emergency_应急管理局.html").read_text(encoding="utf-8")
    assert "safety_accidents.csv" in quiet


def test_an_override_of_a_blocked_or_out_of_scope_enterprise_is_an_error_not_applied(tmp_path, worked):
    """The government's decision applies to evaluated enterprises only; an override for one that
    is blocked (壬) or out of scope (癸) is not applied, and the data-quality report says so."""
    raw = copy_run(worked, tmp_path).raw_dir  # the worked example evaluated, then the overrides come
    (raw / "2023" / "overrides.csv").write_text(
        "uscc,final_class,reason,approved_by,approved_on\n"
        f"{U['壬']},A,理由,区委、区政府,2024-04-20\n"
        f"{U['癸']},B,理由,区委、区政府,2024-04-20\n"
        f"{U['甲']},B,理由,区委、区政府,2024-04-20\n",
        encoding="utf-8",
    )
    run = run_pipeline(tmp_path, raw)
    assert run.status == 3
    assert issues(run, "override_not_applied_blocked") == {("overrides.csv", "2", U["壬"], "error")}
    assert issues(run, "override_not_applied_out_of_scope") == {("overrides.csv", "3", U["癸"], "error")}
    message = run.csv("dq_issues.csv").set_index("check").loc["override_not_applied_blocked", "message"]
    assert "“A”未被采用" in message and "暂不参评" in message
    # the status and its reason by their labels (dq_checks.csv: {status_reason.industry}，{status.out_of_scope}),
    # in the message and in the action asked of the department
    said = run.one(
        """select message_zh || ' | ' || action_zh from marts.dq_issues
           where data_year = 2023 and "check" = 'override_not_applied_out_of_scope'"""
    )
    assert "该企业不属于制造业，不纳入 |" in said and "；不纳入的企业没有评价类别" in said and "{" not in said
    assert status(run, "壬")[0] == "blocked" and status(run, "癸")[0] == "out_of_scope"
    assert run.one("select final_class from marts.classification where data_year = 2023 and uscc = ?", [U["甲"]]) == "B"
