"""A rule number and a label are each changed in one place, the seeds of a project copy
(MUJUN_HOME), and every output follows: classification.csv, the workbook, the HTML report and
diagnosis pages, the public notice and the data-quality reports. The rules are dated: a year
evaluated (and published) before the change keeps its own rules when exported again, gives the
same results when evaluated again, and its publication still verifies exactly (issue 11, RULES §10)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from conftest import WORKED_RAW, U, copy_run
from dagster_project.cli import main
from dagster_project.dbt_build import copy_project

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

ROOT = Path(__file__).parents[1]
MUJUN = str(Path(sys.executable).with_name("mujun"))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _mujun(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MUJUN, *args], capture_output=True, text=True, timeout=900, env={**os.environ, "MUJUN_HOME": str(home)})


def _rows(sheet, header_rows: int = 1) -> list[list]:
    return [list(r) for r in sheet.iter_rows(min_row=header_rows + 1, values_only=True)]


def _note(book) -> str:
    return "\n".join(r[0] or "" for r in book["评价说明"].iter_rows(values_only=True))


def test_rules_and_labels_changed_for_a_later_year_reach_its_outputs_and_leave_a_published_year_as_it_was(tmp_path, worked, capsys):
    home = tmp_path / "project"
    copy_project(home)  # with the parse cache of this checkout
    shutil.copytree(ROOT / "data" / "seeds", home / "data" / "seeds")
    seeds = home / "data" / "seeds"

    # 2023 evaluated under today's rule tables (the copy holds them unchanged so far), and published
    evaluated = copy_run(worked, tmp_path)
    raw, exports, warehouse = evaluated.raw_dir, evaluated.export_dir, evaluated.warehouse
    shutil.copytree(WORKED_RAW / "2023", raw / "2024")  # the same deliveries, one year on,
    _replace(raw / "2024" / "land_parcels.csv", "411303-103,4000", "411303-103,5600")  # but 小三's land grew 40%
    assert evaluated.status == 3
    assert main(["publish", "--year", "2023", "--warehouse", str(warehouse)]) == 3  # blocked enterprises: not publishable
    assert "--force" in capsys.readouterr().out
    assert main(["publish", "--year", "2023", "--warehouse", str(warehouse), "--force", "--reason", "测试：含暂不参评企业"]) == 0

    # the rules: from 2024 on, class A reaches down to half of the group, and 亩均税收 weighs more
    # for above-scale enterprises (new dated rows; the old ones closed)
    _replace(seeds / "class_cutoffs.csv", "A,25,2000,,", "A,25,2000,2023,优先发展类\nA,50,2024,,")
    _replace(seeds / "indicator_points.csv", "above,tax_per_mu,40,48,2000,,", "above,tax_per_mu,40,48,2000,2023,")
    _replace(seeds / "indicator_points.csv", "above,output_per_mu,40,48,2000,,", "above,output_per_mu,40,48,2000,2023,")
    points = seeds / "indicator_points.csv"
    points.write_text(
        points.read_text(encoding="utf-8") + "above,tax_per_mu,45,54,2024,,亩均税收\nabove,output_per_mu,35,42,2024,,亩均产值\n",
        encoding="utf-8",
    )
    # and the periods of two adjustment conditions, which their texts state (code_labels.csv,
    # adjustment_rules.csv): 新达到规上工业标准未满两年, 停产6个月以上
    parameters = seeds / "rule_parameters.csv"
    for name in ("new_above_scale_months", "halted_months"):
        _replace(parameters, f"{name},all,12,2000,,", f"{name},all,12,2000,2023,")
    # and the growth a bonus item needs, which its label states (score_items.csv), and the change of
    # land a data-quality message states (dq_checks.csv: land_change_large)
    _replace(parameters, "growth_output_rate_over,all,0.10,2000,,", "growth_output_rate_over,all,0.10,2000,2023,")
    _replace(parameters, "land_change_max_ratio,all,0.5,2000,,", "land_change_max_ratio,all,0.5,2000,2023,")
    parameters.write_text(
        parameters.read_text(encoding="utf-8") + "new_above_scale_months,all,24,2024,,新达到规模以上标准未满此月数\n"
        "halted_months,all,6,2024,,停产此月数以上\n"
        "growth_output_rate_over,all,0.20,2024,,产值增幅超过\n"
        "land_change_max_ratio,all,0.3,2024,,用地变化超过此比例时提示\n",
        encoding="utf-8",
    )
    # not recorded in a Dagster instance: a run's record in the project's own instance is asserted on
    # the one CLI run of test_project_copy.py; here it would cost each run about 6 s of SQLite writes
    common = ["--raw-dir", str(raw), "--export-dir", str(exports), "--warehouse", str(warehouse), "--no-instance"]

    # the published year evaluated again under the new rule tables: its own dated rows, so the same
    # results; verify recomputes the publication exactly and finds the working warehouse as published
    assert _mujun(home, "evaluate", "--year", "2023", *common).returncode == 3
    verified = _mujun(home, "verify", "--year", "2023", "--warehouse", str(warehouse))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "重新计算（冻结的输入、规则表与评价参数）与发布" in verified.stdout and "完全相同 / recomputed" in verified.stdout
    assert "当前数据仓库中的结果与发布" in verified.stdout and "完全相同 / the working warehouse holds" in verified.stdout

    # the labels, each in its one place
    _replace(seeds / "code_labels.csv", "scale,above,规模以上,规上,", "scale,above,规上工业,规上组,")
    _replace(seeds / "code_labels.csv", "status,blocked,暂不参评（数据错误）,暂不参评,", "status,blocked,缓评（数据待更正）,缓评,")
    _replace(
        seeds / "code_labels.csv",
        "status_reason,tax_missing,缺少税收数据,缺少税收数据,",
        "status_reason,tax_missing,税务局未报送,税务局未报送,",
    )
    _replace(seeds / "code_labels.csv", "severity,error,错误,错误,", "severity,error,须更正,须更正,")
    # the bureau's configuration
    _replace(seeds / "district_settings.csv", "district_name,卧龙区,", "district_name,宛城区,")
    _replace(seeds / "district_settings.csv", "approving_authority,区委、区政府,", "approving_authority,区人民政府,")

    done = _mujun(home, "evaluate", "--year", "2024", "--ranking-groups", "all", *common)
    assert done.returncode == 3, done.stdout + done.stderr
    # what the command says, in the labels of 2024
    assert "缓评 blocked 2" in done.stdout and "须更正 3 errors" in done.stdout and "暂不参评" not in done.stdout
    assert "存在缓评企业或须更正级数据问题" in done.stdout
    out = exports / "2024"

    # classification.csv: ranked all together, classes by the cut-offs in force for 2024
    classes = pd.read_csv(out / "classification.csv", dtype=str, keep_default_na=False)
    evaluated = classes[classes.status == "evaluated"]
    assert set(evaluated.group_size) == {"14"}
    cutoffs = [("A", 50), ("B", 75), ("C", 90), ("D", 100)]
    for r in evaluated.itertuples():
        assert r.percentile_class == next(c for c, p in cutoffs if int(r.rank) * 100 <= p * 14), r
    assert (evaluated.percentile_class == "A").sum() == 7  # 3 with the cut-off of 2023

    # the workbook
    book = openpyxl.load_workbook(out / "亩均效益评价结果_2024.xlsx", read_only=True)
    assert book.sheetnames[:2] == ["规上组得分表（附表二）", "规下得分表（附表四）"]
    assert book["规上组得分表（附表二）"]["A1"].value == "附表二：规上工业制造业企业综合评价得分表（2024年度）"
    others = {r[1]: r[4:6] for r in _rows(book["缓评与不纳入"])}
    assert others[U["子"]] == ["缓评（数据待更正）", "税务局未报送"]
    assert {r[2] for r in _rows(book["调档情况"])} <= {"规上组", "规下"}
    assert _rows(book["乡镇街道汇总"], 0)[0][5:] == ["参评", "缓评", "不纳入"]
    note = _note(book)
    assert "A类：名次×100 ≤ 50×参评数" in note and "全部参评企业一起按综合得分" in note
    assert "两组" not in note and "《宛城区制造业企业分类综合评价实施细则》" in note and "卧龙区" not in note
    assert "最终名单以区人民政府审定为准" in note and "参评的规上组企业" in note
    assert "缓评（数据待更正） 2 家" in note and "数据质量：须更正 3 条" in note

    # the HTML report and a diagnosis page
    report = (out / "评价报告_2024.html").read_text(encoding="utf-8")
    assert "<td>规上工业</td>" in report and "规模以上" not in report
    assert "缓评 2 家" in report and "须更正 3 条" in report and "<th>须更正</th>" in report and "暂不参评" not in report
    page = (out / "diagnosis" / f"{U['甲']}.html").read_text(encoding="utf-8")
    assert "规上工业企业" in page and "以区人民政府审定为准" in page and "区委" not in page
    assert "加分：产值增幅超过20%" in page and "产值增幅超过10%" not in page  # 甲 grew 25%
    # why an adjustment condition holds, with the periods and the scale label of 2024
    assert "新达到规上工业标准未满两年，2023-05-01起" in (out / "diagnosis" / f"{U['庚']}.html").read_text(encoding="utf-8")
    assert "停产6个月以上，2022-06-30起" in (out / "diagnosis" / f"{U['辛']}.html").read_text(encoding="utf-8")
    # (the rule's wording names the scale by its code, adjustment_rules.csv: 新达到{scale.above}标准)
    assert "新达到规上工业标准未满两年" in note and "停产6个月以上" in note and "未满一年" not in note and "停产一年" not in note
    assert "规模以上" not in note

    # the public notice lists the classes of classification.csv
    notice = pd.read_csv(out / "公示名单_2024.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert dict(zip(notice["企业名称"], notice["评价类别"])) == dict(zip(evaluated.name, evaluated.final_class))

    # the data-quality reports of the tax department
    tax_page = next((out / "data_quality").glob("tax_*.html")).read_text(encoding="utf-8")
    assert ">须更正</td>" in tax_page and ">错误</td>" not in tax_page and "须更正 <b>" in tax_page
    assert "存在须更正：相关企业缓评或数据未被采用" in tax_page
    # a message names the status by its label of 2024 (dq_checks.csv: {status.blocked})
    assert "中没有该企业的税收数据（缺失不等于零），缓评" in tax_page and "暂不参评" not in tax_page
    # the land department's: 小三's land grew 40%, more than the 30% of 2024 (not the half of 2023)
    land_page = next((out / "data_quality").glob("natural_resources_*.html")).read_text(encoding="utf-8")
    assert "该企业用地由上年 6 → 8.4 亩，变化超过30%" in land_page and "变化超过50%" not in land_page
    index = (out / "企业体检报告索引_2024.html").read_text(encoding="utf-8")
    assert "缓评、不纳入的企业没有体检报告" in index
    tax_book = openpyxl.load_workbook(next((out / "data_quality").glob("tax_*.xlsx")), read_only=True)
    assert "须更正" in {r[6] for r in _rows(tax_book["问题清单"])}

    # 2023 exported again after 2024: its own cut-offs, decisions, labels and settings, from the
    # reference rows of its evaluation
    # (in this process: an export reads the warehouse only, never the project's tables)
    assert main(["export", "--year", "2023", "--export-dir", str(exports), "--warehouse", str(warehouse)]) in (0, 3)
    note_2023 = _note(openpyxl.load_workbook(exports / "2023" / "亩均效益评价结果_2023.xlsx", read_only=True))
    assert "A类：名次×100 ≤ 25×参评数" in note_2023 and "在规上、规下两组内分别按综合得分" in note_2023
    assert "以区委、区政府审定为准" in note_2023 and "缓评" not in note_2023
    assert "新达到规模以上标准未满一年" in note_2023 and "停产一年以上" in note_2023
    assert "加分：产值增幅超过10%" in (exports / "2023" / "diagnosis" / f"{U['甲']}.html").read_text(encoding="utf-8")

    # the change did apply to 2024, and only to it
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        scores = dict(conn.execute("select data_year, tax_score from marts.classification where uscc = ?", [U["甲"]]).fetchall())
    assert scores == {2023: pytest.approx(48.0), 2024: pytest.approx(54.0)}
