"""附件2 rewards (REWARDS.md), computed by the same `mujun evaluate` run.

Two districts: the worked example (fixtures/rewards, every figure explained in its README)
reproduces exactly, and a synthetic district built here plants every rule, Decision and
threshold of REWARDS.md with one step either side. The synthetic district is evaluated for 2022
and then 2023 in one warehouse, so that the cumulative 工业上楼 cap and the project's own stored
statistics of an earlier year take part; 2022 lacks the reward files (not assessed, and said so).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import FIXTURES, copy_run, run_pipeline
from dagster_project.uscc import check_character

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

REWARDS_RAW = FIXTURES / "rewards" / "raw"
REWARDS_EXPECTED = FIXTURES / "rewards" / "expected" / "2023"
REWARDS_COLUMNS = ["uscc", "name", "township", "item", "amount", "status", "reason", "basis"]
TOWNSHIP_COLUMNS = ["township", "band", "output", "output_prev", "growth", "months_met", "amount", "status", "reason"]

# worked example enterprises (fixtures/rewards/README.md)
R = {
    "R1": "91411303F5PJ96WP6M",
    "R2": "91411303QNQ8H7LT79",
    "R3": "91411303BDGPKY6980",
    "R4": "91411303NAG2PQU675",
    "R5": "91411303XNTUL4H668",
    "R6": "914113031QBLDE3P27",
    "R7": "91411303QACABR6A6U",
    "R8": "91411303DAJ6WUD737",
    "R9": "914113031P7Q0U8U83",
    "R10": "91411303AQYJRNDK16",
    "R11": "91411303AULKQ77E52",
    "R12": "9141130346BFKTL44F",
    "R13": "91411303CKAAYNNE2R",
    "R14": "91411303MNQU4AX69X",
    "R15": "91411303M23YT50W2W",
    "R16": "91411303EN7B726R4T",
}


def _same(expected: str, got: str) -> bool:
    """Numbers to 1 元 (4 decimals of 万元), everything else exactly."""
    if expected == "" or got == "":
        return expected == got
    try:
        return abs(float(expected) - float(got)) < 0.00005
    except ValueError:
        return expected == got


def _compare(got: pd.DataFrame, expected: pd.DataFrame) -> list:
    assert len(got) == len(expected), (got, expected)
    return [
        (i, column, expected.at[i, column], got.at[i, column])
        for i in expected.index
        for column in expected.columns
        if not _same(expected.at[i, column], got.at[i, column])
    ]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return run_pipeline(tmp_path_factory.mktemp("rewards_example"), REWARDS_RAW)


# ---------------------------------------------------------------- the worked example


def test_worked_example_rewards_csv_reproduces_expected(example):
    assert example.status == 3  # R3 has no tax row: blocked in the classification, rewarded all the same
    got = example.csv("rewards.csv")
    assert list(got.columns) == REWARDS_COLUMNS
    expected = pd.read_csv(REWARDS_EXPECTED / "rewards.csv", dtype=str, keep_default_na=False)
    assert _compare(got[list(expected.columns)], expected) == []


def test_worked_example_township_rewards_csv_reproduces_expected(example):
    got = example.csv("township_rewards.csv")
    assert list(got.columns) == TOWNSHIP_COLUMNS
    expected = pd.read_csv(REWARDS_EXPECTED / "township_rewards.csv", dtype=str, keep_default_na=False)
    assert _compare(got[list(expected.columns)], expected) == []


def test_excluded_items_name_the_higher_level_funding(example):
    got = example.csv("rewards.csv").set_index(["uscc", "item"])
    assert "省级50万元" in got.at[(R["R4"], "output_growth"), "reason"]
    assert "市级3万元" in got.at[(R["R11"], "planning_system"), "reason"]
    # the basis states the figures used, in Chinese
    assert got.at[(R["R3"], "output_growth"), "basis"].startswith("产值60000万元，上年45000万元，增长33.33%，净增15000万元，第1档")


def test_warnings_where_history_disagrees_and_where_no_previous_output(example):
    rows = example.query(
        """select "check", file, line, uscc, message from marts.dq_issues
           where data_year = 2023 and "check" in ('output_history_conflict', 'breakthrough_no_prev') order by 1"""
    )
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("breakthrough_no_prev", "statistics.csv", 17, R["R16"]),
        ("output_history_conflict", "output_history.csv", 7, R["R9"]),
    ]
    assert "48000" in rows[1][4] and "49000" in rows[1][4]


def test_township_with_missing_months_is_an_error_for_the_statistics_bureau(example):
    rows = example.query(
        """select department, file, severity, message from marts.dq_issues
           where data_year = 2023 and "check" = 'township_months_incomplete'"""
    )
    assert len(rows) == 1
    department, file, severity, message = rows[0]
    assert (department, file, severity) == ("statistics", "township_monthly_output.csv", "error")
    assert "潦河镇" in message and " / " in message


def test_public_list_names_items_and_amounts_only(example):
    public = example.csv("奖励公示_2023.csv")
    assert list(public.columns) == ["\ufeff序号", "名称", "奖励项目", "金额（万元）"] or list(public.columns) == [
        "序号",
        "名称",
        "奖励项目",
        "金额（万元）",
    ]
    rows = {(r[1], r[2]): float(r[3]) for r in public.itertuples(index=False)}
    assert rows[("示例奖十二汽配有限公司", "工业上楼补助")] == 200
    assert rows[("卧龙岗街道", "乡镇产值贡献奖")] == 6.5
    # excluded or not granted: not listed; no figures other than the amount
    assert ("示例奖十一仪器有限公司", "数字化转型·生产计划与综合管理") not in rows
    assert len(rows) == 15 + 3
    text = (example.export_dir / "2023" / "奖励公示_2023.csv").read_text(encoding="utf-8-sig")
    assert "60000" not in text and "uscc" not in text


def test_calculation_workbook_has_a_sheet_per_item_a_summary_and_the_budget(example):
    from openpyxl import load_workbook

    book = load_workbook(example.export_dir / "2023" / "奖励测算_2023.xlsx")
    assert book.sheetnames == [
        "汇总",
        "产值突破奖",
        "产值增长奖",
        "专精特新一次性奖励",
        "数字化转型·智能制造装备",
        "数字化转型·生产计划与综合管理",
        "数字化转型·数字化研发设计",
        "数字化转型·质量管控",
        "工业上楼补助",
        "乡镇产值贡献奖",
    ]
    summary = [r for r in book["汇总"].iter_rows(values_only=True)]
    budget = next(r for r in summary if r[0] == "预算合计")
    assert budget[3] == pytest.approx(40 + 25 + 5 + 5 + 3 + 11.5 + 200 + 12.5)
    assert ("梅溪街道", 200, 0, 200) in summary
    growth = list(book["产值增长奖"].iter_rows(values_only=True))
    assert growth[0][:5] == ("企业名称", "统一社会信用代码", "乡镇街道", "金额（万元）", "状态")
    assert len(growth) == 1 + 7
    for sheet in book.worksheets:  # print-ready: upright where it fits, one page wide, header repeated, page numbers
        width = sum(d.width * (d.max - d.min + 1) for d in sheet.column_dimensions.values())
        assert sheet.page_setup.orientation == ("landscape" if width > 100 else "portrait"), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows
        assert "&P" in sheet.oddFooter.center.text
        assert sheet.print_options.gridLines, sheet.title  # a row can be followed across the page
    # the townships' growth as a percentage, as the reason beside it says it (增长x.xx%)
    townships = book["乡镇产值贡献奖"]
    column = next(c.column for c in townships[1] if c.value == "增长率")
    rates = [row[0] for row in townships.iter_rows(min_row=2, min_col=column, max_col=column) if row[0].value is not None]
    assert rates and {cell.number_format for cell in rates} == {"0.00%"}


def test_year_report_has_a_rewards_section_with_budget_by_item_and_township(example):
    page = (example.export_dir / "2023" / "评价报告_2023.html").read_text(encoding="utf-8")
    section = page[page.index("规模工业企业发展奖励测算") :]
    assert "预算合计 <b>302.0000</b> 万元" in section
    assert "工业上楼补助" in section and "梅溪街道" in section and "<svg" in section


# ---------------------------------------------------------------- a synthetic district


def _uscc(i: int) -> str:
    body = f"91411303RW{i:07d}"
    return body + check_character(body)


# key: (gross_output, gross_output_prev, scale, industry_code)
ENTERPRISES = {
    "B_exact": (10000, 9000),
    "B_over": (10000.01, 9000),
    "B_under": (9999.99, 9000),
    "B_prev_over": (12000, 10000.01),
    "B_hist_over": (12000, 9000),
    "B_hist_at": (12000, 9000),
    "B_two": (60000, 9000),
    "B_stored": (11000, 9900),
    "B_noprev": (15000, None),
    "B_below": (20000, 1000, "规下"),
    "B_mining": (20000, 1000, "规上", "0610"),
    "G1_exact": (55000, 50000),
    "G1_below": (54999, 50000),
    "G1_step": (57000, 50000),
    "G1_step_minus": (56999, 50000),
    "G_band_edge": (49999, 40000),
    "G2_round": (35999.99, 30000),
    "G2_below": (11999, 10000),
    "G3_both": (9800, 7000),
    "G3_net_limited": (9600, 7500),
    "G3_cap": (9900, 1000),
    "G3_net_exact": (7500, 6000),
    "G3_net_below": (7499, 6000),
    "G_prev_zero": (5000, 0),
    "G_six": (60000, 48000),
    "D1": (5000, 5000),
    "D2": (5000, 5000),
    "D3": (5000, 5000),
    "M1": (5000, 5000),
    "M2": (5000, 5000),
}
KEYS = list(ENTERPRISES)
U = {key: _uscc(i) for i, key in enumerate(KEYS, start=1)}
HISTORY = [
    ("B_hist_over", 2021, 10000.01),
    ("B_hist_at", 2020, 10000),
    ("G1_exact", 2021, 60000),
    ("G1_below", 2021, 60000),
    ("G1_step", 2021, 60000),
    ("G1_step_minus", 2021, 60000),
    ("G_band_edge", 2021, 60000),
    ("G2_round", 2021, 60000),
    ("G2_below", 2021, 20000),
    ("G_six", 2021, 70000),
    ("B_exact", 2019, 5000),
    ("B_exact", 2019, 5000),  # lines 12, 13: one enterprise and year twice
]


def _write(path: Path, header: str, rows: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")


def _number(value) -> str:
    return "" if value is None else str(value)


def _statistics(path: Path, figures: dict[str, tuple]) -> None:
    rows = []
    for key, (output, prev, *rest) in figures.items():
        scale = rest[0] if rest else "规上"
        industry = rest[1] if len(rest) > 1 else "3412"
        rows.append(
            f"{U[key]},奖励测试{key}有限公司,王村街道,{industry},{scale},{_number(output)},{_number(prev)},"
            f"{_number(output)},{_number(prev)},100,2000,2015-01-01,"
        )
    _write(
        path,
        "uscc,name,township,industry_code,scale,gross_output,gross_output_prev,revenue,revenue_prev,"
        "total_profit,energy_tce,above_scale_since,halted_since",
        rows,
    )
    _write(path.with_name("tax.csv"), "uscc,tax_paid,credit_rating_d", [f"{U[k]},100,否" for k in figures])
    _write(path.with_name("land_parcels.csv"), "uscc,parcel_id,area_m2", [f"{U[k]},P-{i},20000" for i, k in enumerate(figures)])


def _months(outputs: list, prevs: list) -> list[tuple]:
    return [(m, o, p) for m, (o, p) in enumerate(zip(outputs, prevs), start=1)]


TOWNSHIPS = {
    "甲镇": _months([850] * 10 + [750] * 2, [500] * 12),  # Y exactly 1亿: band 1
    "乙镇": _months([850] * 10 + [750, 749], [500] * 12),  # Y 9999: no band
    "丙镇": _months([2500] * 11 + [2501], [1500] * 12),  # Y 30001: band 2
    "丁镇": _months([8000] * 11 + [12000], [6000] * 12),  # Y exactly 10亿: band 2
    "戊镇": _months([8000] * 11 + [12001], [6000] * 12),  # Y 100001: band 3
    "己镇": _months([2000] * 8 + [1500] + [1100] * 3, [500] * 8 + [1000] * 4),  # month 9 exactly 50%: 9 months
    "庚镇": _months([2000] * 8 + [1499] + [1100] * 3, [500] * 8 + [1000] * 4),  # month 9 49.9%: 8 months
    "辛镇": _months([3000] * 12, [2000] * 12) + [(5, 3000, 2000)],  # month 5 twice
    "壬镇": _months([3000] * 11, [2000] * 11) + [(13, 3000, 2000)],  # month 13
    "癸镇": [(m, 3000, "" if m == 3 else 2000) for m in range(1, 13)],  # no previous value for March
    # band 2: month 9 grew exactly 20% (the monthly rate), not 30% (the annual rate): 9 months count
    "子镇": _months([6000] * 8 + [3600] + [3300] * 3, [3000] * 12),
    # April's previous-year output is zero: no growth that month (a warning), 11 months reach 50%
    "丑镇": _months([850] * 12, [500] * 3 + [0] + [500] * 8),
    # June's previous-year output below zero: an error, the line is not used, the township lacks June
    "寅镇": _months([850] * 12, [500] * 5 + [-500] + [500] * 6),
    # no previous-year output in any month: no growth at all, band 1 not met (and why, in words)
    "卯镇": _months([850] * 12, [0] * 12),
}


def _township_line(township: str, month: int) -> int:
    """The line of a township's month in township_monthly_output.csv (the header is line 1)."""
    lines = [(t, m) for t, months in TOWNSHIPS.items() for m, _, _ in months]
    return lines.index((township, month)) + 2


BUILDINGS = [  # building_id, uscc key, completed_on, plot ratio, density, floor area, 3rd floor, 4th and above, eligible
    ("B1", "M1", "2023-03-01", 2, 50, 10000, 0, 5000, "是"),  # 100, but 150 granted in 2022: 50 left
    ("B2", "M2", "2023-05-01", 1.5, 40, 10000, 2000, 2000, "是"),  # exactly at every limit: 70
    ("B3", "M2", "2023-05-01", 1.49, 40, 10000, 2000, 2000, "是"),
    ("B4", "M2", "2023-05-01", 1.5, 39.99, 10000, 2000, 2000, "是"),
    ("B5", "M2", "2023-05-01", 1.5, 40, 9999.99, 2000, 2000, "是"),
    ("B6", "M2", "2023-05-01", 2, 50, 12000, 2000, 2000, "否"),
    ("B7", "M2", "2024-01-01", 2, 50, 12000, 2000, 2000, "是"),
    ("B8", "M2", "2022-12-31", 2, 50, 12000, 2000, 2000, "是"),
    ("B9", "M2", "2023-06-01", 2, 50, 12000, 13000, 0, "是"),  # line 10: 3rd floor larger than the building
    ("B10", "M2", "2023-06-01", 2, 101, 12000, 1000, 1000, "是"),  # line 11: density above 100%
    ("B11", "M2", "2023-06-01", 0, 50, 12000, 1000, 1000, "是"),  # line 12: plot ratio not positive
    ("B12", "M2", "2023-06-01", 2, 50, 12000, 7000, 6000, "是"),  # line 13: floors larger than the building
]


def _build_district(raw: Path) -> None:
    # 2022: only the statistics of two enterprises and a building of M1; no other reward file
    y = raw / "2022"
    _statistics(y / "statistics.csv", {"B_stored": (10500, 9000), "M1": (5000, 5000)})
    _write(y / "multistorey_buildings.csv", BUILDING_HEADER, [f"{U['M1']},A0,2022-06-01,2,50,20000,10000,0,是"])

    y = raw / "2023"
    _statistics(y / "statistics.csv", ENTERPRISES)
    _write(y / "output_history.csv", "uscc,year,gross_output", [f"{U[k]},{year},{v}" for k, year, v in HISTORY])
    _write(
        y / "industry_it.csv",
        "uscc,specialized,specialized_year",
        [
            f"{U['D1']},省级专精特新,2023",
            f"{U['D2']},省级专精特新,2022",
            f"{U['D3']},国家级专精特新小巨人,2023",
            f"{U['B_below']},省级专精特新,2023",
        ],
    )
    _write(
        y / "digital_investment.csv",
        "uscc,project_id,item,invoice_amount,year",
        [
            f"{U['D1']},P1,智能制造装备,20,2023",
            f"{U['D1']},P2,生产计划与综合管理,10,2023",
            f"{U['D1']},P3,数字化研发设计,19.99,2023",
            f"{U['D1']},P4,质量管控,10,2023",
            f"{U['D1']},P5,质量管控,5,2023",
            f"{U['D2']},P6,智能化设备,19.99,2023",
            f"{U['D2']},P7,planning_system,9.99,2023",
            f"{U['D2']},P8,数字化研发设计,20,2023",
            f"{U['D2']},P9,质量管控,14.99,2023",
            f"{U['D2']},P10,智能制造装备,100,2022",
            f"{U['D3']},P11,智能制造装备,20.001,2023",
            f"{U['D3']},P12,质量管控,200,2023",
            f"{U['D3']},P13,生产计划与综合管理,60,2023",
            f"{U['D3']},P14,云平台,50,2023",
            f"{U['D2']},P15,智能制造装备,30,2023",
            f"{U['D2']},P15,智能制造装备,30,2023",
        ],
    )  # line 15: unknown item; lines 16 and 17: one invoice twice (neither used: D2 gets no smart_equipment)
    _write(
        y / "higher_level_funding.csv",
        "uscc,item,level,amount,year",
        [f"{U['D3']},生产计划与综合管理,省级,2,2023", f"{U['D3']},质量管控,省级,5,2022", f"{U['D3']},上云奖励,省级,5,2023"],
    )  # line 4: unknown item
    _write(
        y / "multistorey_buildings.csv",
        BUILDING_HEADER,
        [f"{U[k]},{b},{d},{r},{dn},{a},{f3},{f4},{e}" for b, k, d, r, dn, a, f3, f4, e in BUILDINGS],
    )
    _write(
        y / "township_monthly_output.csv",
        "township,month,output,output_prev",
        [f"{t},{m},{o},{p}" for t, months in TOWNSHIPS.items() for m, o, p in months],
    )


BUILDING_HEADER = (
    "uscc,building_id,completed_on,plot_ratio,building_density_pct,floor_area_m2,floor3_area_m2,floor4_up_area_m2,project_eligible"
)


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rewards_district")
    _build_district(tmp / "raw")
    earlier = run_pipeline(tmp, tmp / "raw", year=2022)
    return earlier, run_pipeline(tmp, tmp / "raw", year=2023)


def _awards(run) -> dict[tuple[str, str], tuple[float, str]]:
    by_uscc = {v: k for k, v in U.items()}
    return {
        (by_uscc.get(r["uscc"], r["uscc"]), r["item"]): (float(r["amount"]), r["status"]) for r in run.csv("rewards.csv").to_dict("records")
    }


def _of(run, *keys) -> dict:
    return {k: v for k, v in _awards(run).items() if k[0] in keys}


def _townships(run) -> dict[str, dict]:
    return {r["township"]: r for r in run.csv("township_rewards.csv").to_dict("records")}


def _issues(run, check: str) -> list[tuple]:
    return run.query(
        """select file, line, uscc, column_name, severity from marts.dq_issues
           where data_year = ? and "check" = ? order by file, line, uscc""",
        [run.year, check],
    )


def test_breakthrough_needs_strictly_more_than_the_threshold(district):
    _, run = district
    assert _of(run, "B_exact", "B_over", "B_under") == {("B_over", "output_breakthrough"): (5.0, "granted")}


def test_breakthrough_only_at_the_first_crossing(district):
    _, run = district
    awards = _of(run, "B_prev_over", "B_hist_over", "B_hist_at")
    # previous year exactly at the threshold is not over it: still a first crossing
    assert awards == {
        ("B_hist_over", "output_growth"): (4.0, "granted"),
        ("B_hist_at", "output_breakthrough"): (5.0, "granted"),
        ("B_hist_at", "output_growth"): (4.0, "granted"),
    }


def test_decision_only_the_highest_threshold_crossed_in_one_year(district):
    _, run = district
    assert _of(run, "B_two") == {
        ("B_two", "output_breakthrough"): (10.0, "granted"),
        ("B_two", "output_growth"): (20.0, "granted"),
    }  # growth capped at 20


def test_project_own_earlier_statistics_count_and_disagreement_warns(district):
    _, run = district
    assert _of(run, "B_stored") == {}  # 2022 delivered 10500 (> 1亿) although 2023 says 9900 for 2022
    assert _issues(run, "output_history_conflict") == [
        ("statistics.csv", KEYS.index("B_stored") + 2, U["B_stored"], "gross_output", "warning")
    ]


def test_decision_no_breakthrough_without_previous_output(district):
    _, run = district
    assert _of(run, "B_noprev") == {}
    assert _issues(run, "breakthrough_no_prev") == [
        ("statistics.csv", KEYS.index("B_noprev") + 2, U["B_noprev"], "gross_output_prev", "warning")
    ]


def test_only_above_scale_manufacturing_enterprises_are_rewarded(district):
    _, run = district
    assert _of(run, "B_below", "B_mining") == {}


def test_growth_band_1_boundaries_and_steps(district):
    _, run = district
    assert _of(run, "G1_exact", "G1_below", "G1_step", "G1_step_minus") == {
        ("G1_exact", "output_growth"): (5.0, "granted"),  # growth exactly 10%, net exactly 5000
        ("G1_step", "output_growth"): (6.0, "granted"),  # net 7000: one step
        ("G1_step_minus", "output_growth"): (5.0, "granted"),  # net 6999: no step
    }


def test_decision_growth_bands_are_exclusive(district):
    _, run = district
    # 6亿 is in band 1 only (band 2 would give 10); 49999 is in band 2 (band 1 would give 7)
    assert _of(run, "G_six", "G_band_edge") == {
        ("G_six", "output_growth"): (8.0, "granted"),
        ("G_band_edge", "output_growth"): (10.0, "granted"),
    }


def test_growth_is_rounded_to_four_decimals_before_comparing(district):
    _, run = district
    # 5999.99 / 30000 = 0.19999967 → 0.2000: band 2 met; 1999 / 10000 = 0.1999: not met
    assert _of(run, "G2_round", "G2_below") == {("G2_round", "output_growth"): (6.0, "granted")}


def test_decision_band_3_step_needs_both_growth_and_net(district):
    _, run = district
    assert _of(run, "G3_both", "G3_net_limited", "G3_cap", "G3_net_exact", "G3_net_below", "G_prev_zero") == {
        ("G3_both", "output_growth"): (3.0, "granted"),  # 40% and 2800: two steps
        ("G3_net_limited", "output_growth"): (2.0, "granted"),  # 28% and 2100: growth allows no step
        ("G3_cap", "output_growth"): (5.0, "granted"),  # capped
        ("G3_net_exact", "output_growth"): (2.0, "granted"),  # net exactly 1500
    }


def test_specialized_award_needs_provincial_recognition_in_the_data_year(district):
    _, run = district
    awards = _awards(run)
    assert awards[("D1", "specialized_award")] == (5.0, "granted")
    assert ("D2", "specialized_award") not in awards  # recognised in 2022
    assert ("D3", "specialized_award") not in awards  # national little giant: not this item
    assert ("B_below", "specialized_award") not in awards


def test_digital_subsidies_at_the_minimum_invoice_and_below(district):
    _, run = district
    assert _of(run, "D1", "D2") == {
        ("D1", "specialized_award"): (5.0, "granted"),
        ("D1", "smart_equipment"): (1.0, "granted"),  # exactly 20
        ("D1", "planning_system"): (1.0, "granted"),  # exactly 10
        ("D1", "quality_control"): (1.5, "granted"),  # 10 + 5 = exactly 15
        ("D2", "digital_design"): (2.0, "granted"),  # exactly 20; 19.99, 9.99, 14.99 and a 2022 invoice: nothing
    }


def test_decision_digital_subsidy_is_exactly_the_maximum_rate_rounded_to_one_yuan_and_capped(district):
    _, run = district
    awards = _of(run, "D3")
    assert awards[("D3", "smart_equipment")] == (1.0001, "granted")  # 0.05 × 20.001 = 1.00005 → 1.0001 (half away)
    assert awards[("D3", "quality_control")] == (10.0, "granted")  # 0.10 × 200, capped at 10


def test_no_double_funding_for_the_same_item_in_the_same_year(district):
    _, run = district
    assert _of(run, "D3") == {
        ("D3", "smart_equipment"): (1.0001, "granted"),
        ("D3", "planning_system"): (0.0, "excluded"),  # provincial funding for the item in 2023
        ("D3", "quality_control"): (10.0, "granted"),  # a 2022 grant for the item does not matter
    }
    reason = run.csv("rewards.csv").set_index(["uscc", "item"]).at[(U["D3"], "planning_system"), "reason"]
    assert "省级2万元" in reason


def test_decision_several_items_a_year_but_one_amount_per_item(district):
    _, run = district
    rewards = run.csv("rewards.csv")
    assert not rewards.duplicated(["uscc", "item"]).any()
    assert len(rewards[rewards["uscc"] == U["D1"]]) == 4


def test_multistorey_limits_are_inclusive_and_the_cap_is_cumulative(district):
    earlier, run = district
    assert _of(earlier, "M1") == {("M1", "multistorey"): (150.0, "granted")}
    assert _of(run, "M1", "M2") == {
        ("M1", "multistorey"): (50.0, "granted"),  # 200 − 150 granted in 2022
        ("M2", "multistorey"): (70.0, "granted"),
    }  # only the building at the limits


def test_an_earlier_year_evaluated_again_is_capped_by_the_years_before_it_only(district, tmp_path):
    """2022 corrected after 2023 was evaluated: M1's building of 2022 grows to 12,000 m² (180), more
    than the 200 left once 2023's 50 is counted too. 2022 is capped by what came before it (nothing):
    2023's grant is stale until 2023 is evaluated again, not a fault of the 2022 run."""
    _, run = district
    corrected = copy_run(run, tmp_path)
    _write(corrected.raw_dir / "2022" / "multistorey_buildings.csv", BUILDING_HEADER, [f"{U['M1']},A0,2022-06-01,2,50,20000,12000,0,是"])
    again = run_pipeline(tmp_path, corrected.raw_dir, year=2022)
    assert again.status in (0, 3)
    assert _of(again, "M1") == {("M1", "multistorey"): (180.0, "granted")}


def test_buildings_with_impossible_figures_are_quarantined_with_an_error(district):
    _, run = district
    found = run.query(
        """select line, "check", column_name, severity from marts.dq_issues
           where data_year = 2023 and file = 'multistorey_buildings.csv' order by line"""
    )
    assert found == [
        (10, "building_area_impossible", "floor3_area_m2", "error"),
        (11, "building_density_impossible", "building_density_pct", "error"),
        (12, "building_plot_ratio_impossible", "plot_ratio", "error"),
        (13, "building_floors_exceed_area", "floor4_up_area_m2", "error"),
    ]
    (quarantined,) = (
        run.one("select rows_quarantined from marts.delivery_reconciliation where data_year = 2023 and extract = 'multistorey_buildings'"),
    )
    assert quarantined == 4


def test_an_invoice_delivered_twice_is_used_for_neither_line(district):
    _, run = district
    assert run.query(
        """select line, severity from marts.dq_issues where data_year = 2023 and "check" = 'invoice_duplicate' order by line"""
    ) == [(16, "error"), (17, "error")]
    assert ("D2", "smart_equipment") not in _of(run, "D2")


def test_unknown_invoice_or_funding_item_is_a_cell_error(district):
    _, run = district
    assert run.query(
        """select file, line, column_name, value from marts.dq_issues
           where data_year = 2023 and "check" = 'enum_unknown' order by file"""
    ) == [("digital_investment.csv", 15, "item", "云平台"), ("higher_level_funding.csv", 4, "item", "上云奖励")]


def test_township_bands_and_boundaries(district):
    _, run = district
    got = {t: (r["band"], r["months_met"], float(r["amount"]), r["status"]) for t, r in _townships(run).items()}
    assert got == {
        "甲镇": ("1", "12", 2.0, "granted"),  # exactly 1亿
        "乙镇": ("", "", 0.0, "not_met"),  # 9999万元: no band
        "丙镇": ("2", "12", 8.0, "granted"),  # 30001: band 2, min(3, 2) steps
        "丁镇": ("2", "12", 5.0, "granted"),  # exactly 10亿: still band 2
        "戊镇": ("3", "12", 7.0, "granted"),  # 100001: band 3
        "己镇": ("1", "9", 5.0, "granted"),  # exactly 9 months at exactly 50% (capped)
        "庚镇": ("1", "8", 0.0, "not_met"),  # 8 months
        "辛镇": ("", "", 0.0, "incomplete"),  # month 5 twice: both lines quarantined
        "壬镇": ("", "", 0.0, "incomplete"),  # 11 months and a month 13
        "癸镇": ("", "", 0.0, "incomplete"),  # March without previous value
        "子镇": ("2", "9", 10.0, "granted"),  # see test_decision_township_band_2_monthly_rate_differs_from_annual
        # 10200 vs 5500: growth 85.45%, net 4700: 2 + 1 step (0.20 and 1000) = 3; April counts for nothing
        "丑镇": ("1", "11", 3.0, "granted"),
        "寅镇": ("", "", 0.0, "incomplete"),  # June's line not used
        "卯镇": ("1", "0", 0.0, "not_met"),  # no previous-year output: no growth
    }
    without_growth = _townships(run)["卯镇"]
    assert without_growth["growth"] == ""
    assert without_growth["reason"].startswith("未达到第1档条件：增长无法计算（上年产值为零）（须不低于"), without_growth


def test_decision_township_band_2_monthly_rate_differs_from_annual(district):
    _, run = district
    row = _townships(run)["子镇"]
    # 61500 vs 36000: growth 70.83% (≥ 30%), 9 months ≥ 20% (8 months ≥ 30%): granted, 5 + 4 steps × 1.5, capped 10
    assert (row["band"], row["months_met"], row["growth"], float(row["amount"])) == ("2", "9", "0.7083", 10.0)


def test_township_month_problems_are_errors_for_the_statistics_bureau(district):
    _, run = district
    issues = run.query(
        """select "check", line, value, department, severity from marts.dq_issues
           where data_year = 2023 and file = 'township_monthly_output.csv' order by "check", line"""
    )
    checks = [(c, v) for c, _, v, _, _ in issues]
    assert checks.count(("township_month_duplicate", "5")) == 2
    assert ("township_month_invalid", "13") in checks
    assert [v for c, v in checks if c == "township_months_incomplete"] == ["辛镇", "壬镇", "癸镇", "寅镇"]
    assert [v for c, v in checks if c == "township_output_negative"] == ["-500"]
    assert [c for c, v in checks if c == "value_missing"] == ["value_missing"]
    # a month whose previous-year output is zero has no growth: a warning naming the township and month
    zero = [(line, v, s) for c, line, v, _, s in issues if c == "township_month_prev_zero"]
    expected = [(_township_line("丑镇", 4), "“丑镇”4月")] + [(_township_line("卯镇", m), f"“卯镇”{m}月") for m in range(1, 13)]
    assert zero == [(line, value, "warning") for line, value in expected]
    assert {(d, s) for c, _, _, d, s in issues if c != "township_month_prev_zero"} == {("statistics", "error")}
    message = run.one(
        """select message_zh from marts.dq_issues
           where data_year = 2023 and "check" = 'township_month_prev_zero' and value like '“丑镇”%'"""
    )
    assert "乡镇街道“丑镇”4月的上年同月工业产值为零" in message


def test_history_repeated_for_a_year_is_quarantined(district):
    _, run = district
    assert [(f, line) for f, line, *_ in _issues(run, "history_duplicate")] == [("output_history.csv", 12), ("output_history.csv", 13)]


def test_absent_reward_files_mean_items_not_assessed_and_the_report_says_so(district):
    earlier, _ = district
    rows = earlier.query(
        """select file, message from marts.dq_issues
           where data_year = 2022 and "check" in ('reward_items_not_assessed', 'funding_not_checked') order by file"""
    )
    files = [f for f, _ in rows]
    assert files == ["digital_investment.csv", "higher_level_funding.csv", "industry_it.csv", "township_monthly_output.csv"]
    assert "数字化转型·智能制造装备" in rows[0][1]
    assert earlier.csv("township_rewards.csv").empty
    assert set(earlier.csv("rewards.csv")["item"]) == {"output_breakthrough", "multistorey"}


def test_reward_extracts_have_their_own_department_reports(district):
    _, run = district
    reports = {p.name for p in (run.export_dir / "2023" / "data_quality").iterdir()}
    assert any("财政局" in name for name in reports)
    assert any("自然资源局" in name and "开发区" in name for name in reports)


# ---------------------------------------------------------------- warehouses made before the rewards


def test_a_warehouse_from_before_the_rewards_gains_the_new_contract_column(tmp_path):
    import duckdb

    from dagster_project.ingest import ensure_raw_schema

    with duckdb.connect(str(tmp_path / "old.duckdb")) as conn:
        conn.execute("create schema raw")
        conn.execute("create table raw.industry_it (data_year integer, load_id varchar, uscc varchar, specialized varchar)")
        ensure_raw_schema(conn)
        columns = [
            r[0]
            for r in conn.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'industry_it'"
            ).fetchall()
        ]
    assert "specialized_year" in columns and "prev_class" in columns


def test_a_year_evaluated_before_the_rewards_exports_without_them(tmp_path):
    import duckdb

    from dagster_project.outputs.rewards import write_reward_csvs, write_reward_public_list, write_reward_workbook

    with duckdb.connect() as conn:
        conn.execute("create schema marts")
        assert write_reward_csvs(conn, 2023, tmp_path) == []
        assert write_reward_workbook(conn, 2023, tmp_path) == []
        assert write_reward_public_list(conn, 2023, tmp_path) == []
    assert not (tmp_path / "2023").exists()
