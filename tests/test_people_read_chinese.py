"""What people read is Chinese (issue: what people see): no internal code in a workbook or page,
adjustments say what changed the class apart from conditions that held without effect, and each
diagnosis page says which rule decided the final class."""

from __future__ import annotations

import html
import re

import openpyxl

from conftest import U

# a delivered file's own name (tax.csv) is what the department knows it by, not a code
FILE_NAME = re.compile(r"[\w.-]+\.(?:csv|xlsx)\b")


def _codes(run) -> set[str]:
    """Every code that has a label for people (classes A–D aside: the letter is the label)."""
    codes = {code for (code,) in run.query("select distinct code from reference.labels where data_year = 2023 and length(code) > 2")}
    return codes | {"manual_override", "percentile"}


def _person_texts(run):
    """(file, text) of every workbook cell, every page's visible text and every CSV file meant for
    people (the public lists). Nothing of it is bilingual: the departments' reports carry the
    Chinese wording of each problem, dq_issues.csv (a contract file) the bilingual one."""
    folder = run.export_dir / "2023"
    for path in sorted(folder.rglob("*.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        yield f"{path.name}:{sheet.title}", value
    for path in sorted(folder.rglob("*.html")):
        text = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
        yield path.name, html.unescape(re.sub(r"<[^>]+>", " ", text))
    for path in sorted(folder.glob("*公示*.csv")):
        yield path.name, path.read_text(encoding="utf-8-sig")


def test_no_workbook_or_page_shows_an_internal_code(worked):
    codes = _codes(worked)
    assert {"not_a_low_tax", "protect_cd", "tax_missing", "industry", "above"} <= codes  # the scan knows what to look for
    found = sorted(
        {
            (where, token)
            for where, text in _person_texts(worked)
            for token in re.findall(r"[A-Za-z_]+", FILE_NAME.sub(" ", text))
            if token in codes
        }
    )
    assert found == []


def test_department_reports_word_each_problem_in_chinese_only(worked):
    folder = worked.export_dir / "2023" / "data_quality"
    messages = dict(worked.query("""select message, message_zh from marts.dq_issues where data_year = 2023 and department = 'tax'"""))
    assert messages and all(bilingual.startswith(zh + " / ") for bilingual, zh in messages.items())
    page = html.unescape((folder / "tax_税务局.html").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(folder / "tax_税务局.xlsx", read_only=True)["问题清单"]
    cells = {v for row in book.iter_rows(values_only=True) for v in row if isinstance(v, str)}
    for bilingual, zh in messages.items():
        assert zh in page and zh in cells
        assert bilingual not in page and bilingual not in cells
    assert "@page{size:A4 landscape" in page and page.count("<thead>") == page.count("<table") == 2  # headers repeat on paper


def _sheet(run, book_name: str, sheet_name: str) -> list[dict]:
    sheet = openpyxl.load_workbook(run.export_dir / "2023" / book_name, read_only=True)[sheet_name]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if "企业名称" in r)
    header = rows[header_at]
    return [dict(zip(header, r)) for r in rows[header_at + 1 :] if any(v not in (None, "") for v in r)]


def test_adjustment_sheet_lists_the_enterprises_whose_class_changed_with_what_changed_it(worked):
    changed = dict(
        worked.query("select uscc, final_class from marts.classification where data_year = 2023 and final_class <> percentile_class")
    )
    rows = _sheet(worked, "亩均效益评价结果_2023.xlsx", "调档情况")
    assert {r["统一社会信用代码"]: r["最终类别"] for r in rows} == changed  # not every enterprise some condition held for
    by_uscc = {r["统一社会信用代码"]: r for r in rows}
    labels = dict(worked.query("select code, short_label_zh from reference.labels where data_year = 2023 and domain = 'decided_by'"))
    force_d, low_tax = labels["force_d"], labels["not_a_low_tax"]
    # 己: ranked B, zero tax last year → D; its low 亩均税收 held too but changed nothing (a B is not an A)
    row = by_uscc[U["己"]]
    assert row["类别变化及依据"] == f"B→D：{force_d}（上年度税收为零）"
    assert row["决定最终类别的规则"] == force_d
    assert row["条件成立但未改变类别"].startswith(low_tax + "（亩均税收排名 9/9）")
    # 丑: ranked A, low 亩均税收 → B
    assert by_uscc[U["丑"]]["类别变化及依据"] == f"A→B：{low_tax}（亩均税收排名 6/9）"
    # 辛: ranked D and staying D: force_d held without effect, so 辛 is not listed
    assert U["辛"] not in by_uscc


def test_diagnosis_page_says_which_rule_decided_the_final_class(worked):
    def page(name: str) -> str:
        text = (worked.export_dir / "2023" / "diagnosis" / f"{U[name]}.html").read_text(encoding="utf-8")
        return html.unescape(re.sub(r"<[^>]+>", "", text))

    labels = dict(worked.query("select code, label_zh from reference.labels where data_year = 2023 and domain = 'decided_by'"))
    percentile = labels["percentile"]
    # 小五: listed for elimination, B → D
    assert f"决定最终类别的是：{labels['force_d']}" in page("小五")
    assert "类别变化：B→D" in page("小五")
    # 辛: D by its rank; 停产 held but changed nothing, and it is said once
    xin = page("辛")
    assert f"决定最终类别的是：{percentile}" in xin
    assert xin.count("停产一年以上") == 1
    assert "类别变化" not in xin
    # 戊: protected from C by last year's A
    assert f"决定最终类别的是：{labels['protect_cd']}" in page("戊")


def test_the_command_refuses_wrong_arguments_in_chinese_first(capsys):
    import pytest

    from dagster_project.cli import main

    for argv, says in [
        (["evaluate", "--year", "abc"], "年度须为 1900—2999 之间的四位数字"),
        (["evaluate", "--year", "2023", "--cutoff", "2023/12/31"], "日期须写作 YYYY-MM-DD"),
        (["evaluate"], "参数有误"),
        (["generate", "--years", "2023", "--out", "x", "--above", "-1"], "企业数须为不小于 0 的整数"),
        (["generate", "--years", "2023", "--out", "x", "--above", "0", "--below", "0"], "合计至少为 1"),
        (["generate", "--years", "2023", "--out", "x", "--seed", "x"], "随机种子须为不小于 0 的整数"),
        (["generate", "--years", "2023", "--out", "x", "--workbooks", "tax.xlsx"], "没有名为“tax.xlsx”的报送文件"),
        (["generate", "--years", "9999", "--out", "x"], "年度须为 1900—2999 之间的四位数字"),
        (["evaluate", "--year", "²"], "年度须为"),  # a digit to str.isdigit(), not to int()
        # an argument the command does not take: refused by the command, which names its own help
        (["publish", "--year", "2023", "--frce"], "无法识别的参数 / unrecognized arguments: --frce"),
        (["evaluate", "--year", "2023", "2024"], "无法识别的参数"),
    ]:
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2, argv
        err = capsys.readouterr().err
        command = " ".join(["mujun", *argv[:1]])  # the help to read is that of the command refused
        assert f"参数有误（{command} -h 查看用法）/ invalid arguments" in err and says in err, err
        assert "fromisoformat" not in err and "Traceback" not in err


def test_the_help_of_every_command_is_headed_in_chinese_and_lines_up_on_screen(capsys, monkeypatch):
    import unicodedata

    import pytest

    from dagster_project.cli import main

    monkeypatch.setenv("COLUMNS", "80")

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    for argv in (["-h"], *([command, "--help"] for command in ("evaluate", "export", "publish", "verify", "templates", "generate"))):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 0
        text = capsys.readouterr().out
        # argparse's English headings are not shown: each of ours says it in Chinese first
        assert not re.search(r"(?m)^(usage|options|positional arguments):", text), text
        assert "show this help message" not in text
        assert text.startswith("用法 / usage: mujun"), text
        assert "选项 / options:" in text and "显示本说明并退出" in text, text
        if argv == ["-h"]:
            assert "命令 / commands:" in text and "评价一个数据年度" in text, text
        # the wrapped lines of the usage start under its first option, as seen on screen
        usage = text.split("\n\n")[0].split("\n")
        first_option = width(usage[0][: usage[0].index("[-h]")])
        assert all(width(line) - width(line.lstrip(" ")) == first_option for line in usage[1:]), usage
        # no line wider on screen than the terminal (argparse counts a Chinese character as one
        # column) but an option that cannot be broken
        for line in text.split("\n"):
            assert width(line) <= 78 or "{mean_of_ratios,ratio_of_sums}" in line, (argv, line)
        # no placeholder of a value in English (RAW_DIR, WAREHOUSE): each is named in Chinese, or
        # by the form of its value (YYYY, YYYY-MM-DD)
        assert set(re.findall(r"--[a-z-]+ ([A-Z_]{2,})\b", text)) <= {"YYYY"}, text


def test_a_terminal_that_cannot_show_chinese_gets_it_escaped_not_an_error(monkeypatch):
    """(A Latin-1 locale: an error half-way would make a publication already committed look failed.)"""
    import io
    import sys

    import pytest

    from dagster_project.cli import run

    terminal = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "argv", ["mujun", "verify", "--help"])
    with pytest.raises(SystemExit) as stopped:
        run()
    assert stopped.value.code == 0
    terminal.flush()
    assert terminal.buffer.getvalue().decode("latin-1").startswith("\\u7528\\u6cd5 / usage: mujun verify")


def test_every_check_of_the_dbt_tests_says_in_chinese_what_it_guards():
    """Each dbt data test is an asset check in the Dagster UI, described by the test's
    meta.description (dagster-dbt): a check shown without it explains nothing to the bureau."""
    from dagster_project.definitions import defs
    from dagster_project.defs.dbt_assets import BENCHMARK_TEST, UNIQUE_ID

    graph = defs.resolve_asset_graph()
    specs = [spec for spec in map(graph.get_check_spec, graph.asset_check_keys) if UNIQUE_ID in spec.metadata]
    assert BENCHMARK_TEST in {spec.name for spec in specs}  # the scan sees the checks of the dbt tests
    undescribed = sorted(spec.name for spec in specs if not re.search(r"[\u4e00-\u9fff]", spec.description or ""))
    assert undescribed == []
